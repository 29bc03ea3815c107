// storykit's board in the browser: drag to rank or to change status, live refresh.
// No build step; SortableJS (vendored) moves the cards, the server does the rest.
(function () {
  "use strict";
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var dragging = false, stale = false;

  function say(text, hint, failed) {
    var box = document.getElementById("message");
    box.textContent = "";  // text only: never HTML from a message
    var line = document.createElement("div");
    line.textContent = (failed ? "error: " : "") + text;
    box.appendChild(line);
    if (hint) {
      var more = document.createElement("div");
      more.className = "hint";
      more.textContent = "hint: " + hint;
      box.appendChild(more);
    }
    box.className = failed ? "error" : "ok";
    box.hidden = false;
  }

  function post(action, body) {
    return fetch("/api/" + action, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, data: data };
      });
    }, function () { return { ok: false, data: { error: "the server did not answer" } }; });
  }

  // Live: fetch this page again and swap in its live parts (never a form being edited).
  function refresh() {
    if (dragging) { stale = true; return Promise.resolve(); }
    return fetch(location.href, { cache: "no-store" }).then(function (response) {
      return response.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html");
      document.querySelectorAll("[data-live]").forEach(function (part) {
        var other = fresh.getElementById(part.id);
        if (other) { part.replaceWith(document.adoptNode(other)); }
      });
      document.body.dataset.version = fresh.body.dataset.version || "";
      setup();
    }).catch(function () {});
  }

  function neighbour(card, step) {
    var node = step > 0 ? card.nextElementSibling : card.previousElementSibling;
    while (node && !node.classList.contains("card")) {
      node = step > 0 ? node.nextElementSibling : node.previousElementSibling;
    }
    return node;
  }

  function settled() {  // a drag that changed nothing: show what arrived meanwhile
    if (stale) { stale = false; refresh(); }
  }

  function dropped(event) {
    dragging = false;
    var card = event.item, id = card.dataset.id, request;
    if (event.from === event.to) {
      if (event.oldDraggableIndex === event.newDraggableIndex) { return settled(); }
      var next = neighbour(card, 1), previous = neighbour(card, -1);
      if (next) { request = post("rank", { id: id, before: next.dataset.id }); }
      else if (previous) { request = post("rank", { id: id, after: previous.dataset.id }); }
      else { return settled(); }
    } else {
      request = post("status", { id: id, status: event.to.dataset.status });
    }
    document.body.dataset.busy = "1";
    request.then(function (result) {
      if (result.ok) { say(result.data.subject || "saved", null, false); }
      else { say(result.data.error || "refused", result.data.hint, true); }
      stale = false;
      return refresh();  // the card stays, or goes back where the files say it is
    }).then(function () { delete document.body.dataset.busy; });
  }

  function sortable(element, group) {
    if (element.dataset.sortable) { return; }
    element.dataset.sortable = "1";
    Sortable.create(element, {
      group: group, draggable: ".card", filter: "a, button", preventOnFilter: false,
      forceFallback: true, fallbackTolerance: 3, animation: 120,
      emptyInsertThreshold: 40,
      onStart: function () { dragging = true; },
      onEnd: dropped
    });
  }

  function setup() {
    if (typeof Sortable === "undefined") { return; }
    document.querySelectorAll("[data-status]").forEach(function (column) { sortable(column, "board"); });
    document.querySelectorAll("[data-rank-list]").forEach(function (list) { sortable(list, "backlog"); });
    document.querySelectorAll(".unfold").forEach(function (button) {
      button.onclick = function () {
        var column = button.closest(".column");
        var open = column.classList.toggle("open");
        button.textContent = open ? "hide" : "show";
        button.setAttribute("aria-expanded", open ? "true" : "false");
      };
    });
  }

  setup();
  if (window.EventSource) {
    var events = new EventSource("/events");
    events.addEventListener("change", function () { refresh(); });
    events.addEventListener("hello", function (event) {
      // Reconnected after a restart or a sleep: whatever happened meanwhile is shown.
      if (document.body.dataset.version !== event.data) { refresh(); }
    });
  }
})();
