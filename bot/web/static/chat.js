// Progressive enhancement for the chat page. Without JavaScript every message is a plain form post.
// With it: replies appear without reloading, focus stays in the message box, and a live chat with an
// adviser updates as it happens (server-sent events, or polling every 3 seconds where those fail).
(function () {
  "use strict";
  // "Exit this page" (and Shift pressed 3 times, as GOV.UK's component does): hide the page at once,
  // tell the server to forget the chat (a beacon outlives the page), and replace this page in the
  // history so Back does not come back to it. Without JavaScript the link itself clears the chat.
  var exit = document.querySelector(".govuk-js-exit-this-page-button");
  function leaveNow() {
    var sent = false;
    try { sent = navigator.sendBeacon && navigator.sendBeacon("/chat/clear"); } catch (error) { sent = false; }
    if (!sent && window.fetch) {
      fetch("/chat/clear", { method: "POST", keepalive: true, credentials: "same-origin" }).catch(function () {});
    }
    document.body.hidden = true;
    window.location.replace(exit.getAttribute("data-exit-to") || exit.href);
  }
  if (exit) {
    exit.addEventListener("click", function (event) { event.preventDefault(); leaveNow(); });
    var shifts = [];
    document.addEventListener("keyup", function (event) {
      if (event.key !== "Shift") { shifts = []; return; }
      var now = Date.now();
      shifts = shifts.filter(function (at) { return now - at < 5000; }).concat([now]);
      if (shifts.length >= 3) { leaveNow(); }
    });
  }
  var log = document.getElementById("log");
  var list = document.getElementById("log-list");
  var status = document.getElementById("live-status");
  var leave = document.getElementById("leave-queue");
  var input = document.getElementById("message");
  if (!log || !window.fetch) { return; }
  var after = Number(log.getAttribute("data-after")) || 0;

  function line(sender, text, author) {
    var item = document.createElement("li");
    item.className = "chat-line chat-line--" + sender;
    var who = document.createElement("span");
    who.className = "chat-who";
    who.textContent = sender === "resident" ? "You:" : sender === "adviser" ? (author || "Adviser") + " (adviser):" : "Assistant:";
    var words = document.createElement("span");
    words.className = "chat-text";
    words.textContent = text;
    item.appendChild(who);
    item.appendChild(words);
    list.appendChild(item);
    return item;
  }

  function showStatus(state) {
    if (leave) { leave.hidden = state.state !== "waiting"; }
    if (!status) { return; }
    if (state.state === "waiting") {
      status.hidden = false;
      status.textContent = "You are number " + state.position + " in the queue for an adviser. " + state.wait;
    } else if (state.state === "with_adviser") {
      status.hidden = false;
      status.textContent = "You are chatting with an adviser.";
    } else {
      status.hidden = true;
      status.textContent = "";
    }
  }

  function liveMessage(message) {
    after = Math.max(after, message.id);
    if (message.sender !== "resident") { line(message.sender === "adviser" ? "adviser" : "assistant", message.text, message.author); }
  }

  var polling = false;
  function poll() {
    polling = true;
    fetch("/chat/updates?after=" + after, { credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (update) {
        if (!update) { return; }
        update.messages.forEach(liveMessage);
        showStatus(update.status);
      })
      .catch(function () {})
      .then(function () { window.setTimeout(poll, 3000); });
  }

  function follow() {
    if (!window.EventSource) { poll(); return; }
    var stream = new EventSource("/chat/stream?after=" + after);
    stream.addEventListener("message", function (event) { liveMessage(JSON.parse(event.data)); });
    stream.addEventListener("status", function (event) { showStatus(JSON.parse(event.data)); });
    stream.onerror = function () {
      if (stream.readyState === EventSource.CLOSED && !polling) { poll(); }
    };
  }

  function send(fields) {
    var body = new URLSearchParams(fields);
    return fetch("/", { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (answer) {
        // Too many messages too fast: say so here (a form post now would only be refused again).
        if (answer.status === 429) { return answer.json().then(function (body) { return Promise.reject({ tooFast: body.error }); }); }
        return answer.ok ? answer.json() : Promise.reject(answer.status);
      })
      .then(function (result) {
        var old = log.querySelectorAll(".chat-quick");
        Array.prototype.forEach.call(old, function (form) { form.parentNode.removeChild(form); });
        result.lines.forEach(function (reply) {
          var item = line(reply.sender, reply.text, reply.author);
          if (reply.buttons && reply.buttons.length) { item.appendChild(quickReplies(reply.buttons)); }
        });
        if (result.live && result.live.state !== "none") { showStatus(result.live); if (!following) { following = true; follow(); } }
        var clear = document.getElementById("clear-chat");
        if (clear) { clear.hidden = false; }
        if (result.safety_routes) { document.getElementById("safety-routes").hidden = false; }
        if (result.exit_this_page) { window.location.reload(); }
      })
      .catch(function (problem) {
        if (problem && problem.tooFast) {
          line("assistant", problem.tooFast);
          if (fields.message) { input.value = fields.message; }
          return;
        }
        // Fall back to a plain form post, carrying what the resident sent, so nothing is lost.
        var form = document.getElementById("send-form");
        if (fields.message) { input.value = fields.message; }
        Object.keys(fields).forEach(function (name) {
          if (name === "message") { return; }
          var hidden = document.createElement("input");
          hidden.type = "hidden";
          hidden.name = name;
          hidden.value = fields[name];
          form.appendChild(hidden);
        });
        form.submit();
      });
  }

  function quickReplies(buttons) {
    var holder = document.createElement("div");
    holder.className = "chat-quick";
    buttons.forEach(function (button) {
      var element = document.createElement("button");
      element.type = "button";
      element.className = "govuk-button govuk-button--secondary chat-quick__button";
      element.textContent = button.title;
      element.addEventListener("click", function () {
        line("resident", button.title);
        send({ payload: button.payload, button_title: button.title }).then(function () { input.focus(); });
      });
      holder.appendChild(element);
    });
    return holder;
  }

  document.getElementById("send-form").addEventListener("submit", function (event) {
    var text = input.value.trim();
    event.preventDefault();
    if (!text) { input.focus(); return; }
    line("resident", text);
    input.value = "";
    send({ message: text }).then(function () { input.focus(); });
  });

  Array.prototype.forEach.call(document.querySelectorAll(".chat-quick__button"), function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      line("resident", button.getAttribute("data-title"));
      send({ payload: button.value, button_title: button.getAttribute("data-title") }).then(function () { input.focus(); });
    });
  });

  var following = false;
  if (log.getAttribute("data-live") !== "none") { following = true; follow(); }
})();
