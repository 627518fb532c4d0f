// The check-in page on a phone. Without this script the form posts and the page comes back with
// the result. With it: the form posts in the background (the camera keeps running between
// learners), the result is announced in the live region and added to the list, and a "Scan a QR
// code" button appears where the browser has BarcodeDetector and a camera.
(function () {
  "use strict";
  var form = document.getElementById("check-in-form");
  var input = document.getElementById("id_code");
  var result = document.getElementById("check-in-result");
  var list = document.getElementById("checked-in-list");
  var scanButton = document.getElementById("check-in-scan");
  var camera = document.getElementById("check-in-camera");
  var video = document.getElementById("check-in-video");
  var stopButton = document.getElementById("check-in-stop");
  if (!form || !input || !result) return;

  var busy = false;
  var lastCode = "";
  var lastAt = 0;

  function announce(message, kind) {
    var p = document.createElement("p");
    p.className = "message message-" + kind;
    p.textContent = message;
    result.replaceChildren(p);
  }

  function addToList(name, time) {
    if (!list || !name) return;
    var empty = document.getElementById("checked-in-empty");
    if (empty) empty.remove();
    var li = document.createElement("li");
    var who = document.createElement("span");
    who.textContent = name;
    var when = document.createElement("span");
    when.className = "muted";
    when.textContent = time;
    li.append(who, " ", when);
    list.prepend(li);
    var count = document.getElementById("check-in-count");
    if (count) count.textContent = String(list.querySelectorAll("li:not(#checked-in-empty)").length);
  }

  function submitCode() {
    if (busy) return;
    busy = true;
    var data = new FormData(form);
    fetch(form.action || window.location.href, {
      method: "POST",
      body: data,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (body.ok && !body.already) {
          announce(body.message, "success");
          addToList(body.name, body.time);
          input.value = "";
          input.removeAttribute("aria-invalid");
        } else if (body.ok) {
          announce(body.message, "warning");
          input.value = "";
        } else {
          announce(body.message, "error");
          input.setAttribute("aria-invalid", "true");
        }
      })
      .catch(function () {
        announce("The check-in didn't reach the server. Check the connection and try again.", "error");
      })
      .finally(function () {
        busy = false;
        if (camera.hidden) input.focus();
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submitCode();
  });

  // --- Scanning (progressive enhancement) ------------------------------------------------------
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return;
  }
  var detector;
  var stream = null;
  var timer = null;

  function stop() {
    if (timer) window.clearTimeout(timer);
    timer = null;
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    camera.hidden = true;
    scanButton.hidden = false;
    scanButton.focus();
  }

  function scan() {
    if (!stream) return;
    detector.detect(video).then(function (codes) {
      var value = codes.length ? codes[0].rawValue : "";
      var now = Date.now();
      // The same code stays in front of the camera for a while: check it in once.
      if (value && !busy && (value !== lastCode || now - lastAt > 5000)) {
        lastCode = value;
        lastAt = now;
        input.value = value;
        submitCode();
      }
    }).catch(function () { /* a frame that could not be read: try the next one */ })
      .finally(function () { timer = window.setTimeout(scan, 250); });
  }

  window.BarcodeDetector.getSupportedFormats().then(function (formats) {
    if (formats.indexOf("qr_code") === -1) return;
    detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    scanButton.hidden = false;
    scanButton.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (media) {
          stream = media;
          video.srcObject = media;
          camera.hidden = false;
          scanButton.hidden = true;
          return video.play();
        })
        .then(function () {
          stopButton.focus();
          scan();
        })
        .catch(function () {
          announce("The camera didn't start. Allow the camera for this site, or type the code.", "error");
          stop();
        });
    });
    stopButton.addEventListener("click", stop);
  });
})();
