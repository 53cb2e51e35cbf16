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

  // fmtField formats a field period as the server does (web/chart.go,
  // fieldDates): "Mar 3–4, 2023" or "2023년 3월 3일–4일".
  function fmtField(lang, start, end) {
    if (start === end) {
      return fmtDate(lang, start * DAY, true);
    }
    var s = new Date(start * DAY), e = new Date(end * DAY);
    if (s.getUTCFullYear() === e.getUTCFullYear()) {
      var y = s.getUTCFullYear(), sm = s.getUTCMonth(), em = e.getUTCMonth();
      if (lang === 'ko') {
        return y + '년 ' + (sm + 1) + '월 ' + s.getUTCDate() + '일–' + (sm === em ? '' : (em + 1) + '월 ') + e.getUTCDate() + '일';
      }
      if (sm === em) {
        return monthsEn[sm] + ' ' + s.getUTCDate() + '–' + e.getUTCDate() + ', ' + y;
      }
      return monthsEn[sm] + ' ' + s.getUTCDate() + ' – ' + monthsEn[em] + ' ' + e.getUTCDate() + ', ' + y;
    }
    return fmtDate(lang, start * DAY, true) + ' – ' + fmtDate(lang, end * DAY, true);
  }

  // pollsOf turns the payload's poll columns (web/chartdata.go) into one
  // object per poll, with its field-period midpoint x in ms, and indexes
  // them by the day of x.
  function pollsOf(data) {
    var c = data.polls || {}, names = c.names || {}, out = [], byDay = {};
    var day = 0;
    (c.start || []).forEach(function (d, i) {
      day += d;
      var end = day + c.len[i];
      var pl = {
        x: Math.round((day + end) / 2 * DAY), start: day, end: end, n: c.n[i], weight: c.weight[i],
        pollster: names.pollster[c.pollster[i]], sponsor: c.sponsor[i] >= 0 ? names.sponsor[c.sponsor[i]] : '',
        mode: names.mode[c.mode[i]], results: []
      };
      (c.results || []).forEach(function (r) {
        if (r.v[i] != null) {
          pl.results.push([r.label, r.v[i]]);
        }
      });
      out.push(pl);
      var key = Math.floor(pl.x / DAY) * DAY;
      (byDay[key] = byDay[key] || []).push(pl);
    });
    return { list: out, byDay: byDay };
  }

  // tooltip lists, for the day under the pointer, each answer's average
  // with its 95% band, then every poll whose field-period midpoint falls on
  // that day. It reads both from the chart's own data rather than from
  // ECharts' params, which hold only the series nearest the pointer.
  function tooltip(data, averages, polls) {
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
      (polls.byDay[day] || []).forEach(function (pl) {
        html += '<hr style="margin:4px 0;border:0;border-top:1px solid #ddd">' +
          '<b>' + enc(pl.pollster) + '</b>' + (pl.sponsor ? ' (' + enc(t.sponsor) + ' ' + enc(pl.sponsor) + ')' : '') +
          '<br>' + enc(fmtField(data.lang, pl.start, pl.end)) +
          '<br>' + (pl.n ? enc(t.n) + ' ' + fmtNum(pl.n, 0) + ' · ' : '') + enc(pl.mode) +
          (pl.weight != null ? ' · ' + enc(t.weight) + ' ' + fmtNum(pl.weight, 1) + '%' : '') +
          '<br>' + pl.results.map(function (r) { return enc(String(r[0])) + ' ' + pct(r[1]); }).join(', ');
      });
      return html;
    };
  }

  // dotSize is a poll dot's diameter in pixels, as web/chart.go's dotSize.
  function dotSize(n) {
    if (!(n > 0)) {
      return 6;
    }
    return Math.round(Math.max(6, Math.min(22, 4 + Math.sqrt(n) / 4.5)));
  }

  // fillSeries puts the payload's points into the option's series (which
  // arrive without data) and returns each answer's average by day for
  // the tooltip.
  function fillSeries(data, series, polls) {
    var byID = {}, averages = [];
    data.answers.forEach(function (a) {
      var avg = [], lower = [], band = [], byDay = {};
      a.est.forEach(function (v, j) {
        var x = (a.first + j) * DAY;
        var p = [x, v, a.lo[j], a.hi[j]];
        avg.push(p);
        byDay[x] = p;
        lower.push([x, a.lo[j]]);
        band.push([x, Math.round((a.hi[j] - a.lo[j]) * 100) / 100]);
      });
      var res = (data.polls.results || []).filter(function (r) { return r.id === a.id; })[0];
      var dots = [];
      if (res) {
        polls.list.forEach(function (pl, i) {
          if (res.v[i] != null) {
            dots.push([pl.x, res.v[i], i]);
          }
        });
      }
      byID['avg-' + a.id] = avg;
      byID['lower-' + a.id] = lower;
      byID['band-' + a.id] = band;
      byID['polls-' + a.id] = dots;
      averages.push({ label: a.label, color: a.color, byDay: byDay });
    });
    series.forEach(function (s) {
      if (typeof s.id === 'string' && byID[s.id]) {
        s.data = byID[s.id];
        if (s.id.indexOf('polls-') === 0) {
          s.symbolSize = function (v) { return dotSize(polls.list[v[2]].n); };
        }
      }
    });
    return averages;
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
    var polls = pollsOf(data);
    opt.series = opt.series || [];
    var averages = fillSeries(data, opt.series, polls);
    opt.tooltip = Object.assign({}, opt.tooltip, {
      trigger: 'axis',
      confine: true,
      axisPointer: { type: 'line', snap: true },
      formatter: tooltip(data, averages, polls)
    });
    // The helper series (band bounds, events) never show in the tooltip
    // or react to the pointer.
    opt.series.forEach(function (s) {
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
