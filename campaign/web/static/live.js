/* Live publishing status: polls /api/status and keeps the page current without a reload.
   The banner and badges are set as text and class names. When a post's version changes (its
   state, text, approval or attempts), the week page asks the server for that post's card, its
   chip and the counts again (/api/week/cards: rendered and escaped by the server, as on the
   page, from this same site) and replaces them whole. The live region says what changed
   ("Monday 10:00 X post approved by ana."), never the heartbeat. */
(function () {
  "use strict";
  var body = document.body;
  var url = body.getAttribute("data-status-url");
  var every = parseInt(body.getAttribute("data-poll-ms") || "2000", 10);
  if (!url || !document.querySelector("[data-live]")) { return; }
  var announcer = document.querySelector("[data-live=announce]");
  var cardsUrl = announcer ? announcer.getAttribute("data-cards-url") : null;
  var versions = {};  // key -> the version of the card the page shows
  document.querySelectorAll("[data-card][data-version]").forEach(function (slot) {
    versions[slot.getAttribute("data-card")] = slot.getAttribute("data-version");
  });
  var lastTitle = null;

  function setText(element, text) {
    if (element && element.textContent !== text) { element.textContent = text; }
  }

  function show(element, visible) {
    if (element) { element.hidden = !visible; }
  }

  function announce(text) {
    if (announcer && text) { announcer.textContent = text; }
  }

  function applyBanner(b) {
    var banner = document.querySelector("[data-live=banner]");
    if (!banner) { return; }
    ["on", "paused", "stopped"].forEach(function (tone) {
      banner.classList.toggle(tone, b.tone === tone);
    });
    if (lastTitle !== null && lastTitle !== b.title) { announce(b.title); }
    lastTitle = b.title;
    setText(banner.querySelector("[data-live=title]"), b.title);
    setText(banner.querySelector("[data-live=detail]"), b.detail);
    var daemons = banner.querySelector("[data-live=daemons]");
    setText(daemons, b.daemons);
    if (daemons) { daemons.className = b.daemons_ok ? "ok" : "warn"; }
    setText(banner.querySelector("[data-live=next]"), b.next);
    var list = banner.querySelector(".facts");
    [["held", "held"], ["alerts", "alerts-failing"]].forEach(function (kind) {
      banner.querySelectorAll("[data-live=" + kind[0] + "]").forEach(function (old) {
        old.remove();
      });
      (b[kind[0]] || []).forEach(function (line) {
        var item = document.createElement("li");
        item.className = kind[1];
        item.setAttribute("data-live", kind[0]);
        item.textContent = line;
        list.appendChild(item);
      });
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
        if (p.link) { link.setAttribute("href", p.link); }
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

  function element(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    return holder.content.firstElementChild;
  }

  function find(selector, key) {
    var found = null;
    document.querySelectorAll(selector).forEach(function (item) {
      if (item.getAttribute(selector.slice(1, -1)) === key) { found = item; }
    });
    return found;
  }

  /* A card being worked in (focus inside, a form opened) is left alone until it is not. */
  function busy(slot) {
    return slot.contains(document.activeElement) || slot.querySelector("details[open]") !== null;
  }

  function refreshCards(changed) {
    var query = new URLSearchParams(window.location.search);
    changed.forEach(function (key) { query.append("key", key); });
    return fetch(cardsUrl + "?" + query.toString(), {
      credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" }
    })
      .then(function (response) {
        if (!response.ok) { throw new Error("cards " + response.status); }
        return response.json();
      })
      .then(function (data) {
        Object.keys(data.posts).forEach(function (key) {
          var fresh = data.posts[key];
          var slot = find("[data-card]", key);
          if (slot && !busy(slot)) {
            slot.replaceWith(element(fresh.card));
            versions[key] = fresh.version;
          }
          var chip = find("[data-chip]", key);
          if (chip) { chip.replaceWith(element(fresh.chip)); }
        });
        var summary = document.querySelector("[data-live=summary]");
        if (summary && !busy(summary)) { summary.replaceWith(element(data.summary)); }
        announce(data.announce);
      });
  }

  function apply(data) {
    applyBanner(data.banner);
    var changed = [];
    Object.keys(data.posts).forEach(function (key) {
      var p = data.posts[key];
      applyPost(key, p);
      if (cardsUrl && versions[key] !== undefined && versions[key] !== p.version) {
        var slot = find("[data-card]", key);
        if (!slot || !busy(slot)) { changed.push(key); }
      }
    });
    /* A pair's posts are one slot, keyed by the pair: asked for again when either changes. */
    Object.keys(data.units || {}).forEach(function (key) {
      if (cardsUrl && versions[key] !== undefined && versions[key] !== data.units[key].version) {
        var slot = find("[data-card]", key);
        if (!slot || !busy(slot)) { changed.push(key); }
      }
    });
    var stamp = new Date();
    setText(document.querySelector("[data-live=updated]"),
      "Live: updated " + stamp.toLocaleTimeString("en-GB"));
    return changed.length ? refreshCards(changed) : null;
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
