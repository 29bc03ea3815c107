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
      if (dragging) { stale = true; return; }  // a drag began meanwhile: swap after it
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

  function releasePoint(event) {
    if (event && typeof event.clientX === "number") { return { x: event.clientX, y: event.clientY }; }
    var touch = event && event.changedTouches && event.changedTouches[0];
    return touch ? { x: touch.clientX, y: touch.clientY } : null;
  }

  // Where the mouse was let go decides the move (Sortable draws it on the way): over
  // another column, that column's status; over another card of the same list, before it
  // (its upper half) or after it; elsewhere, where Sortable put the card. So a drag ends
  // where it is dropped however few moves the mouse made (a person, or a script).
  function intent(event) {
    var card = event.item, id = card.dataset.id, from = event.from;
    var point = releasePoint(event.originalEvent);
    var under = point && document.elementFromPoint(point.x, point.y);
    var list = under && under.closest("[data-status], [data-rank-list]");
    if (list && list.dataset.status && list.dataset.status !== from.dataset.status) {
      return { action: "status", body: { id: id, status: list.dataset.status } };
    }
    var other = list === from ? under.closest(".card") : null;
    if (other && other !== card) {
      var box = other.getBoundingClientRect();
      var side = point.y < box.top + box.height / 2 ? "before" : "after";
      var body = { id: id };
      body[side] = other.dataset.id;
      return { action: "rank", body: body };
    }
    if (event.to !== from && event.to.dataset.status) {
      return { action: "status", body: { id: id, status: event.to.dataset.status } };
    }
    if (event.to !== from || event.oldDraggableIndex === event.newDraggableIndex) { return null; }
    var next = neighbour(card, 1), previous = neighbour(card, -1);
    if (next) { return { action: "rank", body: { id: id, before: next.dataset.id } }; }
    if (previous) { return { action: "rank", body: { id: id, after: previous.dataset.id } }; }
    return null;
  }

  function dropped(event) {
    dragging = false;
    var move = intent(event);
    if (!move) { stale = true; return settled(); }  // redraw: the card goes back
    document.body.dataset.busy = "1";
    post(move.action, move.body).then(function (result) {
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
