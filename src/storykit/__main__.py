from storykit.cli.main import main

main()
