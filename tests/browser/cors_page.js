// In-page harness of tests/browser_e2e.rs for CORS: a credentialed fetch with a custom header
// (so the browser sends a preflight), then a credentialed EventSource, both cross-origin to
// the API server; reports what JavaScript observed with an image GET, like ws_page.js.
//
// The test injects `window.__CFG = { case, api, events, report }` before this script.
(function () {
  'use strict';
  var CFG = window.__CFG;
  var events = [];
  var reported = false;
  function report() {
    if (reported) return;
    reported = true;
    var query = new URLSearchParams({
      case: CFG.case,
      origin: String(self.origin),
      events: events.join('|'),
    });
    window.__report = new Image();
    window.__report.src = CFG.report + '?' + query.toString();
  }
  window.addEventListener('error', function (e) {
    events.push('jserror:' + e.message);
    report();
  });

  function step(promise, ms) {
    return Promise.race([
      promise,
      new Promise(function (resolve) {
        setTimeout(function () { resolve('timeout'); }, ms);
      }),
    ]);
  }

  function credentialedFetch() {
    return fetch(CFG.api, { credentials: 'include', headers: { 'X-Custom': '1' } })
      .then(function (res) {
        return res.text().then(function (body) { return 'fetch:' + res.status + ':' + body; });
      })
      .catch(function (e) { return 'fetch:threw:' + e.name; });
  }

  function eventSource() {
    return new Promise(function (resolve) {
      var seen = [];
      var es;
      try {
        es = new EventSource(CFG.events, { withCredentials: true });
      } catch (e) {
        resolve(['sse:threw:' + e.name]);
        return;
      }
      var done = false;
      function finish() {
        if (done) return;
        done = true;
        es.close();
        resolve(seen);
      }
      es.onopen = function () { if (!done) seen.push('sse:open'); };
      es.onmessage = function (e) {
        if (done) return;
        seen.push('sse:message:' + e.data);
        finish();
      };
      es.onerror = function () {
        if (done) return;
        seen.push('sse:error:' + es.readyState);
        finish();
      };
    });
  }

  step(credentialedFetch(), 15000)
    .then(function (r) {
      events.push(r === 'timeout' ? 'fetch:timeout' : r);
      return step(eventSource(), 15000);
    })
    .then(function (r) {
      if (r === 'timeout') events.push('sse:timeout');
      else events.push.apply(events, r);
      report();
    });
})();
