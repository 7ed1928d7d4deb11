// In-page harness of tests/browser_e2e.rs: opens one WebSocket, sends one message, and reports
// what the page's JavaScript observed to the test's HTTP server with an image GET (a no-cors
// request that works from every origin, including opaque ones: sandboxed iframes, file: pages).
//
// The test injects `window.__CFG = { case, ws, report }` before this script.
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
    // Kept reachable so that the request is not dropped with the object.
    window.__report = new Image();
    window.__report.src = CFG.report + '?' + query.toString();
  }
  window.addEventListener('error', function (e) {
    events.push('jserror:' + e.message);
    report();
  });
  var ws;
  try {
    ws = new WebSocket(CFG.ws);
  } catch (e) {
    events.push('threw:' + e.name + ': ' + e.message);
    report();
    return;
  }
  ws.onopen = function () {
    events.push('open');
    ws.send('hello ' + CFG.case);
  };
  ws.onmessage = function (e) {
    events.push('message:' + String(e.data));
    ws.close(1000, 'done');
  };
  ws.onerror = function () {
    events.push('error');
  };
  ws.onclose = function (e) {
    events.push('close:' + e.code + ':' + e.wasClean);
    report();
  };
  // A socket that never settles is reported too, so that the test fails with what was seen.
  setTimeout(function () {
    events.push('timeout:readyState=' + ws.readyState);
    report();
  }, 20000);
})();
