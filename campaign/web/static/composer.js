/* The composer: live preview, counters and findings from /api/post/check as the officer types
   (debounced), the part buttons (add, remove, move) and the palette of the campaign's facts.
   Saving stays a plain form post. Text from the server is only ever set as text; the card is
   HTML the server rendered from its escaped template. */
(function () {
  "use strict";
  var form = document.getElementById("composer");
  if (!form) { return; }
  var url = form.getAttribute("data-check-url");
  var token = form.querySelector("input[name=csrf_token]").value;
  var days = JSON.parse(form.getAttribute("data-days") || "{}");
  var parts = form.querySelector("[data-parts]");
  var status = document.querySelector("[data-live-status]");
  var cardBox = document.querySelector("[data-card]");
  var findingsBox = document.querySelector("[data-findings]");
  var timer = null;
  var sent = 0;
  var lastFocused = null;
  var WAIT_MS = 300;

  function all(selector, root) { return Array.prototype.slice.call((root || form).querySelectorAll(selector)); }
  function value(name) { var f = form.elements[name]; return f ? f.value : ""; }
  function setText(el, text) { if (el && el.textContent !== text) { el.textContent = text; } }

  function draft() {
    var fold = form.querySelector("input[name=fold]:checked") || form.querySelector("[data-fold-kept]");
    var files = all("input[name=image_file]"), hashes = all("input[name=image_sha256]"), alts = all("textarea[name=image_alt]");
    return {
      key: value("key"), channel: value("channel"), date: value("date"), time: value("time"),
      fold: fold ? fold.value : null, theme: value("theme"), template: value("template"),
      parts: all("[data-part-text]").map(function (t) { return t.value; }),
      images: files.map(function (f, i) { return { file: f.value, sha256: hashes[i].value, alt: alts[i] ? alts[i].value : "" }; })
    };
  }

  function schedule() {
    toggleTheme();
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(check, WAIT_MS);
  }

  function check() {
    var number = ++sent;
    fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(draft())
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (answer) {
      if (number !== sent) { return; }  // a newer check is on its way
      if (!answer.ok) { say("The preview could not be updated: " + (answer.data.error || "try again")); return; }
      show(answer.data);
    }).catch(function () {
      if (number === sent) { say("The preview could not be updated: the server did not answer."); }
    });
  }

  function say(text) { setText(status, text); }

  function show(data) {
    all("[data-part]").forEach(function (part, i) {
      var counter = part.querySelector("[data-counter]");
      var count = data.counts[i];
      setText(counter, count ? count.count + " / " + count.limit : "");
      counter.classList.toggle("over", !!(count && count.over));
    });
    cardBox.innerHTML = data.card;
    findingsBox.textContent = "";
    if (!data.card && data.findings.length) { findingsBox.appendChild(findingList(data.findings)); }
    showTime(data.time);
    var errors = data.findings.filter(function (f) { return f.severity === "error"; });
    var warnings = data.findings.filter(function (f) { return f.severity === "warning"; });
    var words = plural(errors.length, "error") + ", " + plural(warnings.length, "warning") + ".";
    var first = errors[0] || warnings[0];
    say(first ? words + " " + first.message : "No problems found.");
  }

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function findingList(findings) {
    var list = document.createElement("ul");
    list.className = "findings";
    findings.forEach(function (f) {
      var item = document.createElement("li");
      item.className = "finding " + f.severity;
      var sev = document.createElement("span");
      sev.className = "sev"; sev.textContent = f.severity;
      var fix = document.createElement("span");
      fix.className = "fix"; fix.textContent = "Fix: " + f.fix;
      item.appendChild(sev);
      item.appendChild(document.createTextNode(f.message));
      item.appendChild(fix);
      list.appendChild(item);
    });
    return list;
  }

  function showTime(time) {
    var problem = document.querySelector("[data-time-problem]");
    setText(problem, time.problem);
    problem.hidden = !time.problem;
    setText(document.querySelector("[data-zone]"), time.zone ? ": " + time.zone + " on this date" : "");
    var box = document.querySelector("[data-fold]");
    var choices = box.querySelector("[data-fold-choices]");
    var wanted = time.choices.map(function (c) { return c.fold + ":" + c.label; }).join("|");
    if (choices.getAttribute("data-shown") !== wanted) {
      choices.setAttribute("data-shown", wanted);
      choices.textContent = "";
      time.choices.forEach(function (c) {
        var label = document.createElement("label");
        var radio = document.createElement("input");
        radio.type = "radio"; radio.name = "fold"; radio.value = String(c.fold);
        label.appendChild(radio);
        label.appendChild(document.createTextNode(" " + c.label));
        choices.appendChild(label);
      });
    }
    box.hidden = time.choices.length === 0 && !form.querySelector("input[name=fold]:checked");
  }

  function toggleTheme() {
    var box = document.querySelector("[data-theme]");
    var date = value("date");
    box.hidden = !date || Object.prototype.hasOwnProperty.call(days, date);
  }

  /* Parts: numbered 1..n; their buttons are named after their number ("Move part 2 up"). */
  function renumber() {
    var blocks = all("[data-part]");
    blocks.forEach(function (block, i) {
      var n = i + 1;
      var label = block.querySelector("[data-part-label]");
      var text = block.querySelector("[data-part-text]");
      label.textContent = "Part " + n;
      label.setAttribute("for", "part-" + n);
      text.id = "part-" + n;
      block.querySelectorAll("[data-move]").forEach(function (button) {
        var move = button.getAttribute("data-move");
        button.value = move + ":" + n;
        button.textContent = move === "remove" ? "Remove part " + n : "Move part " + n + " " + move;
        button.hidden = (move === "up" && n === 1) || (move === "down" && n === blocks.length) ||
          (move === "remove" && blocks.length === 1);
      });
    });
  }

  function focusIn(block, move) {
    var button = block.querySelector("[data-move=" + move + "]");
    (button && !button.hidden ? button : block.querySelector("[data-part-text]")).focus();
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) { return; }
    if (button.hasAttribute("data-insert")) {
      event.preventDefault();
      insert(button.getAttribute("data-insert"));
      return;
    }
    if (button.hasAttribute("data-add-part")) {
      event.preventDefault();
      var fresh = all("[data-part]")[0].cloneNode(true);
      fresh.querySelector("[data-part-text]").value = "";
      fresh.querySelector("[data-part-text]").removeAttribute("autofocus");
      setText(fresh.querySelector("[data-counter]"), "");
      parts.appendChild(fresh);
      renumber();
      fresh.querySelector("[data-part-text]").focus();
      schedule();
      return;
    }
    var move = button.getAttribute("data-move");
    if (!move) { return; }
    event.preventDefault();
    var block = button.closest("[data-part]");
    if (move === "remove") {
      var next = block.nextElementSibling || block.previousElementSibling;
      block.remove();
      renumber();
      if (next) { next.querySelector("[data-part-text]").focus(); }
    } else if (move === "up" && block.previousElementSibling) {
      parts.insertBefore(block, block.previousElementSibling);
      renumber();
      focusIn(block, "up");
    } else if (move === "down" && block.nextElementSibling) {
      parts.insertBefore(block.nextElementSibling, block);
      renumber();
      focusIn(block, "down");
    }
    schedule();
  });

  /* The palette inserts a fact's name at the cursor of the part last written in. */
  function insert(expression) {
    var target = lastFocused && document.body.contains(lastFocused) ? lastFocused : all("[data-part-text]")[0];
    var start = target.selectionStart, end = target.selectionEnd;
    target.value = target.value.slice(0, start) + expression + target.value.slice(end);
    target.focus();
    target.selectionStart = target.selectionEnd = start + expression.length;
    schedule();
  }

  form.addEventListener("focusin", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-part-text")) { lastFocused = event.target; }
  });
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  toggleTheme();
})();
