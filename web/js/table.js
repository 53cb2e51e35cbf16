// table.js makes tables with class "sortable" sortable by any column: a
// click (or Enter/Space) on a column heading sorts by it, again to reverse.
// Cells sort by their data-sort attribute when they have one, else by
// their text; headings with data-type="num" sort numerically. Without
// JavaScript the tables stay as the server sorted them.
//
// The question page's poll table, which the server pages and sorts, turns
// its pages and sorts in place: a click on a sort heading or a pager link
// fetches that table alone (the same URL with part=polls) and swaps it in,
// so the chart is neither downloaded nor drawn again; the address bar
// follows, and Back goes back. Without JavaScript, or when the fetch
// fails, the link is followed as usual.
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

  function pollsInPlace() {
    var section = document.getElementById('polls-section');
    if (!section || !window.fetch || !window.URL || !(window.history && history.pushState)) {
      return;
    }
    function load(href, push) {
      var url = new URL(href, location.href);
      var part = new URL(url.href);
      part.hash = '';
      part.searchParams.set('part', 'polls');
      section.setAttribute('aria-busy', 'true');
      return fetch(part.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } }).then(function (r) {
        if (!r.ok) {
          throw new Error('HTTP ' + r.status);
        }
        return r.text();
      }).then(function (html) {
        // the server's own page, escaped by its templates; scripts in it
        // would not run
        var box = document.createElement('div');
        box.innerHTML = html;
        var fresh = box.querySelector('#polls-section');
        if (!fresh) {
          throw new Error('no poll table in the answer');
        }
        section.replaceWith(fresh);
        section = fresh;
        if (push) {
          history.pushState({ polls: true }, '', url.pathname + url.search + url.hash);
        }
        var h = document.getElementById('polls-h');
        if (h) {
          h.setAttribute('tabindex', '-1');
          h.focus();
        }
      });
    }
    document.addEventListener('click', function (ev) {
      var a = ev.target.closest && ev.target.closest('#polls-section a.sort, #polls-section .pager a');
      if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) {
        return;
      }
      var url = new URL(a.href, location.href);
      if (url.origin !== location.origin || url.pathname !== location.pathname) {
        return;
      }
      ev.preventDefault();
      load(a.href, true).catch(function () { location.href = a.href; });
    });
    window.addEventListener('popstate', function () {
      load(location.href, false).catch(function () { location.reload(); });
    });
  }
  pollsInPlace();

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
