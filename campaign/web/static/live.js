/* Live publishing status: polls /api/status and updates words and colours in place.
   It only ever sets text and class names (never markup), so nothing from the server can run. */
(function () {
  "use strict";
  var body = document.body;
  var url = body.getAttribute("data-status-url");
  var every = parseInt(body.getAttribute("data-poll-ms") || "2000", 10);
  if (!url || !document.querySelector("[data-live]")) { return; }

  function setText(element, text) {
    if (element && element.textContent !== text) { element.textContent = text; }
  }

  function show(element, visible) {
    if (element) { element.hidden = !visible; }
  }

  function applyBanner(b) {
    var banner = document.querySelector("[data-live=banner]");
    if (!banner) { return; }
    ["on", "paused", "stopped"].forEach(function (tone) {
      banner.classList.toggle(tone, b.tone === tone);
    });
    setText(banner.querySelector("[data-live=title]"), b.title);
    setText(banner.querySelector("[data-live=detail]"), b.detail);
    var daemons = banner.querySelector("[data-live=daemons]");
    setText(daemons, b.daemons);
    if (daemons) { daemons.className = b.daemons_ok ? "ok" : "warn"; }
    setText(banner.querySelector("[data-live=next]"), b.next);
    var list = banner.querySelector(".facts");
    banner.querySelectorAll("[data-live=held]").forEach(function (old) { old.remove(); });
    b.held.forEach(function (line) {
      var item = document.createElement("li");
      item.className = "held";
      item.setAttribute("data-live", "held");
      item.textContent = line;
      list.appendChild(item);
    });
    show(banner.querySelector("[data-live=pause-button]"), !b.paused);
    show(banner.querySelector("[data-live=resume-button]"), b.paused);
  }

  function applyPost(key, p) {
    var card = document.getElementById("post-" + key);
    if (card) {
      var badge = card.querySelector(".meta .state");
      if (badge) { setText(badge, p.label); badge.className = "state " + p.css; }
      setText(card.querySelector("[data-live=note]"), p.note);
      var link = card.querySelector("[data-live=link]");
      if (link) {
        if (p.link) { link.setAttribute("href", p.link); setText(link, p.link_text); }
        show(link, Boolean(p.link));
      }
      card.querySelectorAll("[data-signoff]").forEach(function (control) {
        show(control, control.getAttribute("data-signoff") === p.signoff);
      });
    }
    document.querySelectorAll("[data-chip]").forEach(function (chip) {
      if (chip.getAttribute("data-chip") === key) {
        chip.className = "chip " + p.css;
        setText(chip.querySelector(".chip-state"), p.label);
      }
    });
  }

  function apply(data) {
    applyBanner(data.banner);
    Object.keys(data.posts).forEach(function (key) { applyPost(key, data.posts[key]); });
    var stamp = new Date();
    setText(document.querySelector("[data-live=updated]"),
      "Live: updated " + stamp.toLocaleTimeString("en-GB"));
  }

  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); throw new Error("signed out"); }
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(apply)
      .catch(function () {
        setText(document.querySelector("[data-live=updated]"), "Live updates interrupted: retrying…");
      })
      .then(function () { window.setTimeout(poll, every); });
  }

  window.setTimeout(poll, every);
}());
