// table.js makes tables with class "sortable" sortable by any column: a
// click (or Enter/Space) on a column heading sorts by it, again to reverse.
// Cells sort by their data-sort attribute when they have one, else by
// their text; headings with data-type="num" sort numerically. Without
// JavaScript the tables stay as the server sorted them.
(function () {
  'use strict';
  function key(cell, num) {
    var v = cell ? (cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim()) : '';
    if (num) {
      var f = parseFloat(v);
      return isNaN(f) ? -Infinity : f;
    }
    return v.toLowerCase();
  }

  function sortBy(table, th, index) {
    var num = th.dataset.type === 'num';
    var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
    table.querySelectorAll('thead th').forEach(function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', dir);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[index], num), y = key(b.cells[index], num);
      var c = x < y ? -1 : x > y ? 1 : 0;
      if (!num && typeof x === 'string') {
        c = x.localeCompare(y);
      }
      return dir === 'ascending' ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  document.querySelectorAll('table.sortable').forEach(function (table) {
    var heads = table.querySelectorAll('thead th');
    heads.forEach(function (th, index) {
      var btn = document.createElement('button');
      btn.type = 'button';
      btn.className = 'sort';
      while (th.firstChild) {
        btn.appendChild(th.firstChild);
      }
      th.appendChild(btn);
      btn.addEventListener('click', function () { sortBy(table, th, index); });
    });
  });
})();
