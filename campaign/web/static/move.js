/* Reschedule by drag and drop: drop a post (a chip of the week at a glance, or a line of the
   compact list) on another day. It fills that post's Move form (the keyboard's way, which works
   without JavaScript too) with the day and sends it: one endpoint, the same checks, and the
   page that comes back says what happened. The post keeps its time of day. Posts already sent
   carry no data-move and cannot be dragged. */
(function () {
  "use strict";
  var dragged = null;

  function formOf(key) {
    var forms = document.querySelectorAll("form[data-move-form]");
    for (var i = 0; i < forms.length; i += 1) {
      if (forms[i].getAttribute("data-move-form") === key) { return forms[i]; }
    }
    return null;
  }

  function clearTargets() {
    document.querySelectorAll(".drop-here").forEach(function (target) {
      target.classList.remove("drop-here");
    });
  }

  /* Listened for on the document: live.js replaces chips and lines when a post changes. */
  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest ? event.target.closest("[data-move]") : null;
    if (!item) { return; }
    dragged = item.getAttribute("data-move");
    event.dataTransfer.setData("text/plain", dragged);
    event.dataTransfer.effectAllowed = "move";
  });
  document.addEventListener("dragend", function () {
    dragged = null;
    clearTargets();
  });

  document.querySelectorAll("[data-drop-day]").forEach(function (target) {
    target.addEventListener("dragover", function (event) {
      if (!dragged) { return; }
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      target.classList.add("drop-here");
    });
    target.addEventListener("dragleave", function (event) {
      if (!target.contains(event.relatedTarget)) { target.classList.remove("drop-here"); }
    });
    target.addEventListener("drop", function (event) {
      var key = dragged;
      if (!key) { return; }
      event.preventDefault();
      event.stopPropagation();
      clearTargets();
      dragged = null;
      var form = formOf(key);
      var day = target.getAttribute("data-drop-day");
      if (!form || form.elements.date.value === day) { return; }
      form.elements.date.value = day;
      var status = document.querySelector("[data-live=announce]");
      if (status) {
        status.textContent = "Moving the post to " + target.getAttribute("data-drop-label") + "…";
      }
      form.requestSubmit();
    });
  });
}());
