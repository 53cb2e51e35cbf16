// chart.js draws pollagg's trend charts. Each chart's options arrive as
// JSON data in <script type="application/json" data-echarts="ID">, never as
// code, so the Content-Security-Policy can forbid inline scripts. The
// functions ECharts needs (tooltip and axis label formatters) live here,
// and every text that came from a file (pollster, sponsor, labels) goes
// through echarts.format.encodeHTML before it reaches the tooltip's HTML.
(function () {
  'use strict';
  if (typeof echarts === 'undefined') {
    return;
  }
  var enc = echarts.format.encodeHTML;
  var DAY = 86400000;
  var monthsEn = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

  function fmtDate(lang, ms, withYear) {
    var d = new Date(ms);
    var y = d.getUTCFullYear(), m = d.getUTCMonth(), day = d.getUTCDate();
    if (lang === 'ko') {
      return (withYear ? y + '년 ' : '') + (m + 1) + '월 ' + day + '일';
    }
    return monthsEn[m] + ' ' + day + (withYear ? ', ' + y : '');
  }

  function fmtNum(v, digits) {
    return Number(v).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  function pct(v) {
    return fmtNum(v, 1) + '%';
  }

  // axisLabel formats the time axis: days, or months on long series.
  function axisLabel(lang, spanDays) {
    return function (ms) {
      var d = new Date(ms);
      if (spanDays > 240) {
        if (lang === 'ko') {
          return d.getUTCFullYear() + '년 ' + (d.getUTCMonth() + 1) + '월';
        }
        return monthsEn[d.getUTCMonth()] + ' ' + d.getUTCFullYear();
      }
      return fmtDate(lang, ms, false);
    };
  }

  function marker(color) {
    return '<span style="display:inline-block;margin-right:4px;border-radius:50%;width:9px;height:9px;background-color:' +
      enc(color) + '"></span>';
  }

  // tooltip lists, for the day under the pointer, each answer's average
  // with its 95% band, then every poll whose field-period midpoint falls on
  // that day. It reads both from the chart's own data rather than from
  // ECharts' params, which hold only the series nearest the pointer.
  function tooltip(data, averages) {
    var t = data.text;
    return function (params) {
      params = [].concat(params);
      if (!params.length) {
        return '';
      }
      var x = params[0].axisValue;
      if (x == null && Array.isArray(params[0].value)) {
        x = params[0].value[0];
      }
      var day = Math.floor(x / DAY) * DAY;
      var html = '<b>' + enc(fmtDate(data.lang, day, true)) + '</b>';
      averages.forEach(function (a) {
        var v = a.byDay[day];
        if (v) {
          html += '<br>' + marker(a.color) + enc(a.label) + ' <b>' + pct(v[1]) + '</b> <span style="opacity:.75">(' +
            enc(t.band) + ' ' + fmtNum(v[2], 1) + '–' + fmtNum(v[3], 1) + ')</span>';
        }
      });
      var res = data.result;
      if (res && Math.floor(res.x / DAY) * DAY === day) {
        html += '<hr style="margin:4px 0;border:0;border-top:1px solid #ddd">' +
          '<b>' + enc(t.result || '') + '</b> ' + enc(res.date) + '<br>' +
          (res.shares || []).map(function (r) { return enc(String(r[0])) + ' ' + pct(r[1]); }).join(', ');
      }
      data.polls.forEach(function (pl) {
        if (Math.floor(pl.x / DAY) * DAY !== day) {
          return;
        }
        html += '<hr style="margin:4px 0;border:0;border-top:1px solid #ddd">' +
          '<b>' + enc(pl.pollster) + '</b>' + (pl.sponsor ? ' (' + enc(t.sponsor) + ' ' + enc(pl.sponsor) + ')' : '') +
          '<br>' + enc(pl.field) +
          '<br>' + (pl.n ? enc(t.n) + ' ' + fmtNum(pl.n, 0) + ' · ' : '') + enc(pl.mode) +
          (pl.weight != null ? ' · ' + enc(t.weight) + ' ' + fmtNum(pl.weight, 1) + '%' : '') +
          '<br>' + (pl.results || []).map(function (r) { return enc(String(r[0])) + ' ' + pct(r[1]); }).join(', ');
      });
      return html;
    };
  }

  // averagesOf indexes each answer's average series by day.
  function averagesOf(data, series) {
    var out = [];
    series.forEach(function (s) {
      if (typeof s.id !== 'string' || s.id.indexOf('avg-') !== 0) {
        return;
      }
      var id = s.id.slice(4);
      var ans = data.answers.filter(function (a) { return a.id === id; })[0] || { label: s.name, color: '#888' };
      var byDay = {};
      (s.data || []).forEach(function (d) {
        var v = d && d.value ? d.value : d;
        if (Array.isArray(v)) {
          byDay[v[0]] = v;
        }
      });
      out.push({ label: ans.label, color: ans.color, byDay: byDay });
    });
    return out;
  }

  // staggerEvents puts the label of an event that stands close to the one
  // before it (within 4% of the axis) at the bottom of its line instead of
  // the top, so that two nearby events' labels do not overlap.
  function staggerEvents(items, spanDays) {
    var near = spanDays * DAY * 0.04;
    var sorted = items.slice().sort(function (a, b) { return a.xAxis - b.xAxis; });
    var prevX = null, prevLow = false;
    sorted.forEach(function (it) {
      var low = prevX !== null && it.xAxis - prevX < near && !prevLow;
      if (low) {
        it.label = Object.assign({}, it.label, { position: 'insideStartTop' });
      }
      prevX = it.xAxis;
      prevLow = low;
    });
  }

  function init(el) {
    var target = document.getElementById(el.dataset.echarts);
    if (!target) {
      return;
    }
    var data = JSON.parse(el.textContent);
    var opt = data.option;
    var x = opt.xAxis && opt.xAxis[0];
    var span = x && x.max != null && x.min != null ? (x.max - x.min) / DAY : 0;
    if (x) {
      x.axisLabel = Object.assign({}, x.axisLabel, { formatter: axisLabel(data.lang, span), hideOverlap: true });
    }
    opt.tooltip = Object.assign({}, opt.tooltip, {
      trigger: 'axis',
      confine: true,
      axisPointer: { type: 'line', snap: true },
      formatter: tooltip(data, averagesOf(data, opt.series || []))
    });
    // The helper series (band bounds, events) never show in the tooltip
    // or react to the pointer.
    (opt.series || []).forEach(function (s) {
      if (typeof s.id === 'string' && (s.id.indexOf('lower-') === 0 || s.id.indexOf('band-') === 0 || s.id === 'events')) {
        s.silent = true;
        s.tooltip = { show: false };
      }
      if (s.id === 'events' && s.markLine && s.markLine.data) {
        staggerEvents(s.markLine.data, span);
      }
    });
    var chart = echarts.init(target, null, { renderer: 'canvas', locale: 'EN' });
    // data-rendered tells tests (and anyone) that drawing and its
    // animation have finished.
    chart.on('finished', function () { target.dataset.rendered = 'true'; });
    chart.setOption(opt);
    window.addEventListener('resize', function () { chart.resize(); });
  }

  document.querySelectorAll('script[type="application/json"][data-echarts]').forEach(function (el) {
    try {
      init(el);
    } catch (err) {
      var target = document.getElementById(el.dataset.echarts);
      if (target) {
        target.dataset.error = String(err);
      }
      throw err;
    }
  });
})();
