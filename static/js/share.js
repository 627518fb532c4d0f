// Share a badge page: "Copy link" through the Clipboard API and the device's own share sheet
// through the Web Share API, each shown only where the browser has it. Without them (or
// without JS) the read-only field with the link stays, to select and copy by hand, and the
// plain share links work as they are. No third-party script is loaded.
(function () {
  "use strict";
  var boxes = document.querySelectorAll("[data-share]");
  Array.prototype.forEach.call(boxes, function (box) {
    var field = box.querySelector("[data-share-field]");
    var copy = box.querySelector("[data-share-copy]");
    var native = box.querySelector("[data-share-native]");
    var status = box.querySelector("[data-share-status]");
    var url = box.getAttribute("data-share-url");

    function say(text) {
      if (status) status.textContent = text;
    }

    function selectField() {
      field.focus();
      field.select();
    }

    if (field) field.addEventListener("focus", selectField);

    if (copy && field && navigator.clipboard && window.isSecureContext) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        navigator.clipboard.writeText(url).then(
          function () { say("Link copied."); },
          function () {
            selectField();
            say("Couldn't copy the link. It's selected: copy it with your keyboard or menu.");
          }
        );
      });
    }

    if (native && navigator.share) {
      native.hidden = false;
      native.addEventListener("click", function () {
        navigator.share({
          title: box.getAttribute("data-share-title") || document.title,
          text: box.getAttribute("data-share-text") || "",
          url: url
        }).catch(function () { /* the person closed the share sheet */ });
      });
    }
  });
})();
