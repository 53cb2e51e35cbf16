// embed-code.js makes the question page's <iframe> code absolute: the
// page is the same for every host that serves it (and cached so), so the
// server writes the embed page's path and the reader's browser, which
// knows where it is, puts its own address in front.
(function () {
  'use strict';
  var box = document.getElementById('embed-code');
  if (!box || !box.dataset.embedSrc) {
    return;
  }
  var abs = new URL(box.dataset.embedSrc, window.location.href).href;
  var code = box.value;
  var i = code.indexOf('src="');
  if (i < 0) {
    return;
  }
  var j = code.indexOf('"', i + 5);
  box.value = code.slice(0, i + 5) + abs.replace(/&/g, '&amp;').replace(/"/g, '&quot;') + code.slice(j);
  box.addEventListener('focus', function () { box.select(); });
})();
