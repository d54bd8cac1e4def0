// Put the council's assistant on any page of the council's site:
//   <script src="https://ASSISTANT-HOST/static/embed.js" defer></script>
// It adds an "Ask the council" button; the button opens the chat page in a labelled frame in a
// dialog, which Escape or the Close button shuts, returning focus to the button. Without
// JavaScript nothing is added: link to the chat page instead.
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = new URL(script.src).origin;
  var open = document.createElement("button");
  open.type = "button";
  open.textContent = "Ask the council";
  open.setAttribute("aria-haspopup", "dialog");
  open.style.cssText = "position:fixed;right:16px;bottom:16px;z-index:1000;padding:12px 16px;font:700 19px arial,sans-serif;" +
    "color:#fff;background:#00703c;border:2px solid transparent;box-shadow:0 2px 0 #002d18;min-height:44px;cursor:pointer";
  var dialog = document.createElement("dialog");
  dialog.setAttribute("aria-label", "Ask the council");
  dialog.style.cssText = "width:min(480px,100vw);height:min(720px,100vh);padding:0;border:2px solid #0b0c0c";
  var close = document.createElement("button");
  close.type = "button";
  close.textContent = "Close";
  close.style.cssText = "display:block;margin-left:auto;min-height:44px;padding:8px 12px;font:19px arial,sans-serif";
  var frame = document.createElement("iframe");
  frame.title = "Ask the council - online assistant";
  frame.style.cssText = "width:100%;height:calc(100% - 48px);border:0";
  dialog.appendChild(close);
  dialog.appendChild(frame);
  open.addEventListener("click", function () {
    if (!frame.src) { frame.src = origin + "/?via=embed"; }  // so the assistant counts it as the widget
    dialog.showModal();
  });
  close.addEventListener("click", function () { dialog.close(); });
  dialog.addEventListener("close", function () { open.focus(); });
  document.body.appendChild(open);
  document.body.appendChild(dialog);
})();
