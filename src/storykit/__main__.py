from storykit.cli.app import main

main()
