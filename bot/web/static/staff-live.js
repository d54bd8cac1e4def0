// The adviser's live chat: fetch new messages every two seconds and add them to the log.
// Checking in also tells the server the adviser is still here. Without JavaScript, reload the page.
(function () {
  var log = document.getElementById("live-log");
  if (!log || !window.fetch) { return; }
  var after = Number(log.getAttribute("data-after")) || 0;
  var names = { resident: "Resident", system: "Assistant" };
  function add(message) {
    var item = document.createElement("li");
    var who = document.createElement("strong");
    who.textContent = (message.sender === "adviser" ? (message.author || "Adviser") : names[message.sender]) + ": ";
    item.appendChild(who);
    item.appendChild(document.createTextNode(message.text));
    log.appendChild(item);
  }
  function check() {
    fetch(log.getAttribute("data-updates") + "?after=" + after, { credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (update) {
        if (!update) { return; }
        update.messages.forEach(function (message) { after = Math.max(after, message.id); add(message); });
      })
      .catch(function () {})
      .then(function () { window.setTimeout(check, 2000); });
  }
  window.setTimeout(check, 2000);
})();
