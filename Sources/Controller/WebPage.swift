/// The controller's live web page, served at `/ui/`: one self-contained HTML document
/// (inline style and script, nothing fetched from elsewhere) that polls the Floodlight
/// REST paths every second and draws switches, links, hosts, port counters and a
/// highlighted path as SVG.
public enum WebPage {
    public static let html: String = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width,initial-scale=1">
    <title>Swiftnet</title>
    <style>
    :root{--mut:#687385;--up:#8a97a8;--down:#d62a2a;--path:#ef8a00;--line:1px solid #dbe0e7}
    html,body{margin:0;height:100%;background:#f6f7f9;color:#1c2330;font:13px/1.4 system-ui,sans-serif}
    body{display:flex;flex-direction:column}
    header{display:flex;flex-wrap:wrap;align-items:center;gap:6px 18px;padding:7px 12px;background:#fff;border-bottom:var(--line)}
    h1{font-size:15px;margin:0}
    form{display:flex;gap:6px;align-items:center;margin:0}
    select,button{font:inherit;padding:1px 6px}
    #status,#pathinfo,label{color:var(--mut)}
    #status .e,#pathinfo.bad{color:var(--down)}
    main{flex:1;position:relative}
    #net{position:absolute;width:100%;height:100%;user-select:none}
    .link{stroke:var(--up);stroke-width:2.5;stroke-linecap:round}
    .link.down{stroke:var(--down);stroke-width:3;stroke-dasharray:8 6}
    .hostlink{stroke:#9cc6aa;stroke-width:1.5}
    .link.path,.hostlink.path{stroke:var(--path);stroke-width:6}
    .hit{stroke:transparent;stroke-width:14}
    .haspath .link.up:not(.path),.haspath .hostlink:not(.path){opacity:.4}
    .haspath .host:not(.path){opacity:.5}
    .node{cursor:grab}
    .node rect{stroke-width:1.5}
    .switch rect{fill:#2d6cb0;stroke:#1b4a80}
    .switch text{fill:#fff;font-weight:600}
    .switch.down rect{fill:#c3c9d1;stroke:var(--down);stroke-dasharray:3 2}
    .switch.down text{fill:#5b6472}
    .host rect{fill:#e4f4e8;stroke:#3b945a}
    .host text{fill:#1f5632}
    .host.stale{opacity:.45}
    .node.path rect{stroke:var(--path);stroke-width:3.5}
    .host.path rect{fill:#ffe6bf}
    svg text{font-size:12px;text-anchor:middle;dominant-baseline:central;pointer-events:none}
    text.rate{font-size:10px;fill:#334;paint-order:stroke;stroke:#f6f7f9;stroke-width:3px}
    .box{position:absolute;background:#fffe;border:var(--line);border-radius:6px;padding:6px 9px;font-size:12px;pointer-events:none}
    #legend{top:8px;right:10px}
    #legend i{display:inline-block;width:26px;height:12px;margin-right:7px;vertical-align:middle;border-radius:3px}
    #info{left:10px;bottom:10px;font-family:ui-monospace,monospace;white-space:pre}
    #info:empty{display:none}
    </style>
    </head>
    <body>
    <header>
    <h1>Swiftnet</h1>
    <form id="pf">path <select id="pa" aria-label="from host"></select> &rarr; <select id="pb" aria-label="to host"></select>
    <button>show</button><button type="button" id="pc">clear</button> <span id="pathinfo"></span></form>
    <label><input type="checkbox" id="rates"> rates (bytes/s)</label>
    <button type="button" id="relayout">re-layout</button>
    <div id="status">connecting…</div>
    </header>
    <main>
    <svg id="net"><g id="gl"></g><g id="gh"></g><g id="gr"></g><g id="gn"></g></svg>
    <div id="legend" class="box">
    <div><i style="background:#2d6cb0"></i>switch</div>
    <div><i style="background:#e4f4e8;border:1.5px solid #3b945a;border-radius:7px;height:10px;width:20px;margin:0 10px 0 3px"></i>host</div>
    <div><i style="height:0;border-top:2.5px solid var(--up)"></i>link up</div>
    <div><i style="height:0;border-top:3px dashed var(--down)"></i>link down</div>
    <div><i style="height:0;border-top:6px solid var(--path)"></i>path</div>
    <div style="color:var(--mut);font-size:11px">hover: counters · drag: move</div>
    </div>
    <div id="info" class="box"></div>
    </main>
    <script>
    (() => {
    'use strict';
    const $ = id => document.getElementById(id), svg = $('net'), Q = new URLSearchParams(location.search);
    const U = 105;                       // a link's length in the force layout, in px
    const sw = new Map();                // dpid -> {dpid, up, addr, since, ver}
    const links = new Map();             // "a|pa|b|pb" (a < b) -> {a, pa, b, pb, up}
    const hosts = new Map();             // mac -> {mac, ip, sw, port, up}
    const ports = new Map();             // "dpid|port" -> counters {tp, tb, rp, rb, t} and rates {tbs, rbs}
    const pos = new Map();               // "s:dpid" | "h:mac" -> {x, y}
    const dom = new Map();               // drawn elements by the same keys ("l:" + link key for links)
    let names = {switches: {}, hosts: {}, ips: {}}, namesOk = false, knownOk = false, laidAt = 0, polls = 0, ready = false, lastOk = null;
    let drag = null, hover = null, sel = null, want = Q.get('path'), pathRes = null, pathMsg = '';

    const low = s => String(s == null ? '' : s).toLowerCase();
    const bare = s => s.replace(/[:-]/g, '');
    const num = v => isFinite(+v) ? +v : 0;
    const swName = d => names.switches[d] || d.replace(/^(00:)+/, '') || '0';
    const hostNamed = m => names.hosts[m] || (hosts.get(m) && names.ips[hosts.get(m).ip]);
    const hostName = h => names.hosts[h.mac] || names.ips[h.ip] || h.ip || h.mac;
    const linkKey = (a, pa, b, pb) => a < b || (a == b && pa <= pb) ? [a, pa, b, pb] : [b, pb, a, pa];
    const mean = ps => ps.reduce((m, p) => ({x: m.x + p.x / ps.length, y: m.y + p.y / ps.length}), {x: 0, y: 0});
    const byKey = f => (a, b) => f(a) < f(b) ? -1 : f(a) > f(b) ? 1 : 0;
    function fmtB(n) {
      let i = 0;
      while (n >= 1000 && i < 4) { n /= 1000; i++; }
      return (i ? n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0) : Math.round(n)) + ' ' + ['B', 'kB', 'MB', 'GB', 'TB'][i];
    }
    const fmtR = r => r == null ? '–' : fmtB(r) + '/s';
    const fmtK = r => r < 1e3 ? '' + Math.round(r) : r < 1e6 ? (r / 1e3).toFixed(r < 1e4 ? 1 : 0) + 'k' : (r / 1e6).toFixed(r < 1e7 ? 1 : 0) + 'M';

    async function get(url) {
      const c = new AbortController(), t = setTimeout(() => c.abort(), 4000);
      try {
        const r = await fetch(url, {cache: 'no-store', signal: c.signal});
        if (!r.ok) throw new Error(r.status + ' ' + r.statusText);
        return await r.json();
      } catch (e) { throw new Error(e.name == 'AbortError' ? 'timeout' : e.message); } finally { clearTimeout(t); }
    }
    function list(v) { if (!Array.isArray(v)) throw new Error('not a list'); return v; }

    // ---- reading the answers ----
    function takeSwitches(v) {
      const seen = new Set();
      for (const s of list(v)) {
        const d = low(s.switchDPID); if (!d) continue;
        seen.add(d);
        sw.set(d, {dpid: d, up: true, addr: s.inetAddress || '', since: s.connectedSince, ver: s.openFlowVersion || ''});
      }
      for (const [d, s] of sw) if (!seen.has(d)) s.up = false;
    }
    // A link missing from the answer stays, as down.
    function takeLinks(v) {
      const seen = new Set();
      for (const l of list(v)) {
        const [a, pa, b, pb] = linkKey(low(l['src-switch']), num(l['src-port']), low(l['dst-switch']), num(l['dst-port']));
        const k = [a, pa, b, pb].join('|');
        seen.add(k); links.set(k, {a, pa, b, pb, up: true});
        for (const d of [a, b]) if (!sw.has(d)) sw.set(d, {dpid: d, up: false});
      }
      for (const [k, l] of links) if (!seen.has(k)) l.up = false;
    }
    // The run's own links ("dpid:port-dpid:port"): those the controller does not see are down.
    function takeKnown(v) {
      for (const t of list(v)) {
        const e = String(t).split('-').map(x => [low(x.slice(0, x.lastIndexOf(':'))), num(x.slice(x.lastIndexOf(':') + 1))]);
        if (e.length != 2) continue;
        const [a, pa, b, pb] = linkKey(e[0][0], e[0][1], e[1][0], e[1][1]), k = [a, pa, b, pb].join('|');
        if (!links.has(k)) links.set(k, {a, pa, b, pb, up: false});
        for (const d of [a, b]) if (!sw.has(d)) sw.set(d, {dpid: d, up: false});
      }
      knownOk = true;
    }
    function takeDevices(v) {
      const inner = new Set(), seen = new Set();
      for (const l of links.values()) inner.add(l.a + '|' + l.pa).add(l.b + '|' + l.pb);
      for (const d of list(v && v.devices)) {
        const mac = low((d.mac || [])[0]), ap = (d.attachmentPoint || [])[0];
        if (!mac || !ap) continue;
        const s = low(ap.switch), p = num(ap.port);
        if (!sw.has(s) || inner.has(s + '|' + p)) continue;
        seen.add(mac);
        if (hosts.has(mac) && hosts.get(mac).sw != s) pos.delete('h:' + mac);   // it moved
        hosts.set(mac, {mac, ip: (d.ipv4 || [])[0] || '', sw: s, port: p, up: true});
      }
      for (const [m, h] of hosts) if (!seen.has(m)) h.up = false;
    }
    function takePorts(v, now) {
      if (!v || typeof v != 'object') throw new Error('not an object');
      for (const [dp, r] of Object.entries(v)) for (const rep of (r && r.port_reply) || []) for (const p of rep.port || []) {
        if (!/^\d+$/.test(p.port_number)) continue;           // "local" and the like
        const k = low(dp) + '|' + +p.port_number, o = ports.get(k);
        const c = {tp: num(p.transmit_packets), tb: num(p.transmit_bytes), rp: num(p.receive_packets), rb: num(p.receive_bytes), t: now};
        if (o && now > o.t && c.tb >= o.tb && c.rb >= o.rb) {
          c.tbs = (c.tb - o.tb) * 1000 / (now - o.t); c.rbs = (c.rb - o.rb) * 1000 / (now - o.t);
        } else if (o) { c.tbs = o.tbs; c.rbs = o.rbs; }
        ports.set(k, c);
      }
    }

    // ---- layout ----
    // Half width and height of a node's box, as drawn.
    const half = id => id[0] == 's' ? [Math.max(19, swName(id.slice(2)).length * 3.75 + 7), 12]
      : [Math.max(14, hostName(hosts.get(id.slice(2))).length * 3.5 + 6), 9];
    function segDist(p, a, b) {
      const dx = b.x - a.x, dy = b.y - a.y, l2 = dx * dx + dy * dy;
      const t = l2 ? Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / l2)) : 0;
      return Math.hypot(p.x - a.x - t * dx, p.y - a.y - t * dy);
    }
    function segments() {
      const out = [];
      for (const l of links.values()) if (l.a != l.b && pos.has('s:' + l.a) && pos.has('s:' + l.b)) out.push([pos.get('s:' + l.a), pos.get('s:' + l.b)]);
      for (const h of hosts.values()) if (pos.has('h:' + h.mac) && pos.has('s:' + h.sw)) out.push([pos.get('s:' + h.sw), pos.get('h:' + h.mac)]);
      return out;
    }
    // The best free place for node `id` on rings around c: its box as far as can be from other
    // boxes and lines, its line to c clear of boxes, outward from the middle m if all else is equal.
    function spot(id, c, rings, m, segs, skip) {
      const [hw, hh] = half(id), a0 = Math.abs(c.x - m.x) + Math.abs(c.y - m.y) < 1 ? Math.PI / 2 : Math.atan2(c.y - m.y, c.x - m.x);
      let best = null, bs = -Infinity;
      for (const r of rings) {
        for (let k = 0; k < 24; k++) {
          const a = a0 + k * Math.PI / 12, p = {x: c.x + (r * U + hw - 14) * Math.cos(a), y: c.y + r * U * Math.sin(a)};
          let sc = Infinity;
          for (const [o, q] of pos) {
            if (o == skip || o == id) continue;
            const [w, t] = half(o);
            sc = Math.min(sc, Math.max(Math.abs(p.x - q.x) - w - hw, Math.abs(p.y - q.y) - t - hh), segDist(q, c, p) - t);
          }
          for (const [u, v] of segs) {
            const th = Math.atan2(v.y - u.y, v.x - u.x);
            sc = Math.min(sc, segDist(p, u, v) - hw * Math.abs(Math.sin(th)) - hh * Math.abs(Math.cos(th)));
          }
          sc += 4 * Math.cos(a - a0) - 10 * r;
          if (sc > bs) { bs = sc; best = p; }
        }
        if (bs > 8) break;
      }
      return best;
    }
    function placeHosts(hs) {
      const segs = segments(), m = mean([...pos.values()]);
      for (const h of hs.sort(byKey(h => h.sw + h.mac))) {
        const c = pos.get('s:' + h.sw);
        if (!c) continue;
        const p = spot('h:' + h.mac, c, [0.6, 0.85, 1.15, 1.5], m, segs, 's:' + h.sw);
        pos.set('h:' + h.mac, p); segs.push([c, p]);
      }
    }

    // Stress majorization on hop distances, started from classical scaling (both deterministic).
    function stressLayout(ids) {
      const n = ids.length, at = new Map(ids.map((d, i) => [d, i])), D = new Float64Array(n * n).fill(Infinity);
      for (let i = 0; i < n; i++) D[i * n + i] = 0;
      for (const l of links.values()) if (l.a != l.b) D[at.get(l.a) * n + at.get(l.b)] = D[at.get(l.b) * n + at.get(l.a)] = 1;
      for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) if (D[i * n + k] < Infinity)
        for (let j = 0; j < n; j++) D[i * n + j] = Math.min(D[i * n + j], D[i * n + k] + D[k * n + j]);
      const far = D.reduce((m, v) => v < Infinity && v > m ? v : m, 0) + 1;
      D.forEach((v, i) => { if (v == Infinity) D[i] = far; });
      const B = new Float64Array(n * n), rm = new Float64Array(n);
      let all = 0;
      D.forEach((v, i) => { rm[Math.floor(i / n)] += v * v / n; all += v * v / n / n; });
      D.forEach((v, i) => { B[i] = -0.5 * (v * v - rm[Math.floor(i / n)] - rm[i % n] + all); });
      const X = [], Y = [], axes = [];
      for (let e = 0; e < 2; e++) {                  // the two leading eigenvectors, by power iteration
        let v = Array.from({length: n}, (_, i) => Math.sin(i * (1.7 + e) + 0.3 + e)), lam = 0;
        for (let it = 0; it < 100; it++) {
          const w = v.map((_, i) => { let s = 0; for (let j = 0; j < n; j++) s += B[i * n + j] * v[j]; return s; });
          for (const u of axes) { const d = w.reduce((s, x, i) => s + x * u[i], 0); w.forEach((x, i) => { w[i] = x - d * u[i]; }); }
          lam = Math.hypot(...w); if (lam < 1e-12) break;
          v = w.map(x => x / lam);
        }
        axes.push(v);
        v.forEach((x, i) => (e ? Y : X)[i] = x * Math.sqrt(lam) + 0.01 * Math.sin(i * (12.9 + e * 65)));
      }
      for (let it = 0; it < 300; it++) for (let i = 0; i < n; i++) {
        let sx = 0, sy = 0, sw = 0;
        for (let j = 0; j < n; j++) {
          if (j == i) continue;
          const d = D[i * n + j], w = 1 / (d * d), l = Math.hypot(X[i] - X[j], Y[i] - Y[j]) || 1e-9;
          sx += w * (X[j] + d * (X[i] - X[j]) / l); sy += w * (Y[j] + d * (Y[i] - Y[j]) / l); sw += w;
        }
        if (sw) { X[i] = sx / sw; Y[i] = sy / sw; }
      }
      // long axis horizontal, and the mirror image that puts the first switch up left
      const m = mean(X.map((x, i) => ({x, y: Y[i]})));
      let xx = 0, yy = 0, xy = 0;
      X.forEach((x, i) => { const a = x - m.x, b = Y[i] - m.y; xx += a * a; yy += b * b; xy += a * b; });
      const th = Math.atan2(2 * xy, xx - yy) / 2, c = Math.cos(th), s = Math.sin(th);
      const P = X.map((x, i) => ({x: (x - m.x) * c + (Y[i] - m.y) * s, y: (Y[i] - m.y) * c - (x - m.x) * s}));
      const fx = P[0].x > 0 ? -U : U, fy = P[0].y > 0 ? -U : U;
      ids.forEach((d, i) => pos.set('s:' + d, {x: P[i].x * fx, y: P[i].y * fy}));
    }

    // Layers when some switches have no hosts (trees, fat trees, leaf and spine): hosts at the
    // bottom, the switches they hang on above them, the rest by distance from those.
    function layered() {
      const adj = new Map([...sw.keys()].map(d => [d, []])), hs = new Map(), lev = new Map();
      for (const l of links.values()) if (l.a != l.b) { adj.get(l.a).push(l.b); adj.get(l.b).push(l.a); }
      for (const h of hosts.values()) (hs.get(h.sw) || hs.set(h.sw, []).get(h.sw)).push(h.mac);
      if (!hs.size || hs.size == sw.size) return false;
      const q = [...hs.keys()].sort();
      q.forEach(d => lev.set(d, 0));
      for (let i = 0; i < q.length; i++) for (const e of adj.get(q[i])) if (!lev.has(e)) { lev.set(e, lev.get(q[i]) + 1); q.push(e); }
      const loose = Math.max(...lev.values()) + 1;
      for (const d of sw.keys()) if (!lev.has(d)) lev.set(d, loose);
      const top = Math.max(...lev.values());
      let good = 0;
      for (const l of links.values()) if (Math.abs(lev.get(l.a) - lev.get(l.b)) == 1) good++;
      if (top < 1 || good < 0.8 * links.size) return false;
      // switches with the same parents start side by side; then barycenter sweeps, keeping the
      // order with the fewest crossings (those nearer the hosts weigh more)
      const up = d => lev.get(d) + ' ' + adj.get(d).filter(e => lev.get(e) > lev.get(d)).sort() + ' ' + d;
      let L = Array.from({length: top + 1}, () => []);
      for (const d of [...sw.keys()].sort(byKey(up))) L[lev.get(d)].push(d);
      const at = new Map(), mark = () => L.forEach(r => r.forEach((d, i) => at.set(d, (i + 0.5) / r.length)));
      const cross = () => {
        let c = 0;
        for (let l = 0; l < top; l++) {
          const es = [];
          for (const d of L[l]) for (const e of adj.get(d)) if (lev.get(e) == l + 1) es.push([at.get(d), at.get(e)]);
          es.forEach((a, i) => { for (let j = i + 1; j < es.length; j++) if ((a[0] - es[j][0]) * (a[1] - es[j][1]) < 0) c += 1000 ** (top - 1 - l); });
        }
        return c;
      };
      const order = (l, ref) => {
        const b = new Map(L[l].map(d => {
          const nb = adj.get(d).filter(e => lev.get(e) == ref);
          return [d, nb.length ? nb.reduce((s, e) => s + at.get(e), 0) / nb.length : at.get(d)];
        }));
        L[l] = L[l].map((d, i) => [d, i]).sort((p, r) => b.get(p[0]) - b.get(r[0]) || p[1] - r[1]).map(p => p[0]);
        mark();
        const c = cross();
        if (c < bc) { bc = c; best = L.map(r => r.slice()); }
      };
      mark();
      let best = L.map(r => r.slice()), bc = cross();
      for (let it = 0; it < 6 && bc > 0; it++) {
        for (let l = 1; l <= top; l++) order(l, l - 1);
        for (let l = top - 1; l >= 0; l--) order(l, l + 1);
      }
      L = best;
      const row = L[0].flatMap(d => hs.get(d).sort()), r = svg.getBoundingClientRect();
      const W = Math.max(row.length * 66, ...L.map(r => r.length * 112));
      const GY = Math.max(100, Math.min(190, (W * (r.height || 800) / (r.width || 1200) - 150) / top));
      row.forEach((m, i) => pos.set('h:' + m, {x: (i + 0.5) / row.length * W, y: top * GY + 90}));
      let prev = -Infinity;
      for (const d of L[0]) {
        prev = Math.max(mean(hs.get(d).map(m => pos.get('h:' + m))).x, prev + 60);
        pos.set('s:' + d, {x: prev, y: top * GY});
      }
      for (let l = 1; l <= top; l++) L[l].forEach((d, i) => pos.set('s:' + d, {x: (i + 0.5) / L[l].length * W, y: (top - l) * GY}));
      return true;
    }

    // Nodes that come later join the picture without moving the others.
    function placeNew() {
      const segs = segments(), m = mean([...pos.values()]), nb = new Map();
      for (const l of links.values()) for (const [x, y] of [[l.a, l.b], [l.b, l.a]]) (nb.get(x) || nb.set(x, []).get(x)).push('s:' + y);
      for (const d of [...sw.keys()].sort()) {
        if (pos.has('s:' + d)) continue;
        const known = (nb.get(d) || []).filter(e => pos.has(e)).map(e => pos.get(e));
        const c = known.length ? mean(known) : {x: Math.max(...[...pos.values()].map(p => p.x)) + U, y: m.y};
        pos.set('s:' + d, spot('s:' + d, c, [0.4, 0.8, 1.2, 1.6], m, segs, ''));
      }
      placeHosts([...hosts.values()].filter(h => !pos.has('h:' + h.mac)));
    }

    // A new layout only when the picture is new or has grown by a fifth since the last one.
    function layout(force) {
      let edges = hosts.size;
      for (const l of links.values()) if (l.a != l.b) edges++;
      const size = sw.size + hosts.size + edges;
      let fresh = Math.max(0, edges - laidAt);
      for (const d of sw.keys()) if (!pos.has('s:' + d)) fresh++;
      for (const m of hosts.keys()) if (!pos.has('h:' + m)) fresh++;
      if (force || !pos.size || fresh * 5 > size) {
        pos.clear(); laidAt = edges;
        if (sw.size && !layered()) { stressLayout([...sw.keys()].sort()); placeHosts([...hosts.values()]); }
      } else if (fresh) placeNew();
    }

    // ---- drawing ----
    const set = (e, a) => { for (const k in a) e.setAttribute(k, a[k]); return e; };
    const el = (tag, a, parent) => parent.appendChild(set(document.createElementNS('http://www.w3.org/2000/svg', tag), a));
    const ends = (e, p, q) => set(e, {x1: p.x, y1: p.y, x2: q.x, y2: q.y});
    function titled(e, text) {
      const t = e.firstChild && e.firstChild.nodeName == 'title' ? e.firstChild : e.insertBefore(el('title', {}, e), e.firstChild);
      if (t.textContent != text) t.textContent = text;
    }
    function hoverable(e, key, fn) {
      e.addEventListener('mouseenter', () => { hover = {key, fn}; $('info').textContent = fn(); });
      e.addEventListener('mouseleave', () => { if (hover && hover.key == key) { hover = null; $('info').textContent = ''; } });
    }
    function linkText(l) {
      const side = (x, y, c) => `\n${swName(x)} → ${swName(y)}: ` + (c ? `${c.tp} pkts, ${fmtB(c.tb)} (${fmtR(c.tbs)})` : 'no counters');
      return `${swName(l.a)}:${l.pa} ↔ ${swName(l.b)}:${l.pb}  ${l.up ? 'up' : 'DOWN'}` +
        side(l.a, l.b, ports.get(l.a + '|' + l.pa)) + side(l.b, l.a, ports.get(l.b + '|' + l.pb));
    }
    function hostText(h) {
      const c = ports.get(h.sw + '|' + h.port), n = hostName(h), s = swName(h.sw);
      return `${n}  ${h.mac}  ${h.ip}\non ${s} port ${h.port}${h.up ? '' : '  (not seen now)'}\n` + (c ?
        `${s} → ${n}: ${c.tp} pkts, ${fmtB(c.tb)} (${fmtR(c.tbs)})\n${n} → ${s}: ${c.rp} pkts, ${fmtB(c.rb)} (${fmtR(c.rbs)})` : 'no counters');
    }
    function swText(s) {
      let n = 0;
      for (const l of links.values()) if (l.up && (l.a == s.dpid || l.b == s.dpid)) n++;
      return `${swName(s.dpid)}  ${s.dpid}\n${s.up ? 'connected' : 'NOT CONNECTED'}${s.addr ? ' from ' + s.addr : ''}${s.ver ? ', ' + s.ver : ''}` +
        (s.since ? '\nsince ' + new Date(s.since).toLocaleString() : '') + `\n${n} links up`;
    }
    function draggable(g, id) {
      g.addEventListener('pointerdown', e => {
        const m = svg.getScreenCTM(); if (!m) return;
        const inv = m.inverse(), p = new DOMPoint(e.clientX, e.clientY).matrixTransform(inv);
        drag = {id, inv, dx: pos.get(id).x - p.x, dy: pos.get(id).y - p.y};
        try { g.setPointerCapture(e.pointerId); } catch (_) {}
        e.preventDefault();
      });
      g.addEventListener('pointermove', e => {
        if (!drag || drag.id != id) return;
        const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(drag.inv);
        pos.set(id, {x: p.x + drag.dx, y: p.y + drag.dy}); draw();
      });
      const end = () => { if (drag && drag.id == id) { drag = null; draw(); } };
      g.addEventListener('pointerup', end); g.addEventListener('pointercancel', end);
    }
    function box(id, d, p, cls) {
      const [w, h] = half(id);
      set(d.g, {class: cls, transform: `translate(${p.x},${p.y})`});
      set(d.rect, {x: -w, y: -h, width: 2 * w, height: 2 * h, rx: id[0] == 's' ? 4 : h});
    }

    function draw() {
      const on = sel ? pathRes : null, rates = $('rates').checked, labs = [];
      svg.classList.toggle('haspath', !!on);
      for (const [k, l] of links) {
        const p = pos.get('s:' + l.a), q = pos.get('s:' + l.b), A = ports.get(l.a + '|' + l.pa), B = ports.get(l.b + '|' + l.pb);
        if (!p || !q) continue;
        let d = dom.get('l:' + k);
        if (!d) {
          dom.set('l:' + k, d = {e: el('line', {class: 'link up'}, $('gl')), hit: el('line', {class: 'hit'}, $('gl')), lab: el('text', {class: 'rate'}, $('gr'))});
          hoverable(d.hit, 'l:' + k, () => linkText(l));
        }
        set(ends(d.e, p, q), {class: 'link ' + (l.up ? 'up' : 'down') + (on && on.links.has(k) ? ' path' : '')});
        const rate = c => c && c.tbs != null ? Math.round(c.tbs) : '';
        Object.assign(d.e.dataset, {src: l.a, srcPort: l.pa, dst: l.b, dstPort: l.pb, txPackets: A ? A.tp : '', txBytes: A ? A.tb : '',
          txRate: rate(A), dstTxPackets: B ? B.tp : '', dstTxBytes: B ? B.tb : '', dstTxRate: rate(B)});
        const t = linkText(l);
        titled(d.e, t); titled(ends(d.hit, p, q), t);
        d.lab.textContent = rates && l.up && (A || B) ? fmtK(((A && A.tbs) || 0) + ((B && B.tbs) || 0)) : '';
        if (d.lab.textContent) labs.push([d.lab, p, q]);
      }
      for (const [m, h] of hosts) {
        const id = 'h:' + m, p = pos.get(id), q = pos.get('s:' + h.sw);
        if (!p || !q) continue;
        let d = dom.get(id);
        if (!d) {
          const g = el('g', {class: 'node host', id: 'host-' + bare(m), 'data-mac': m}, $('gn'));
          dom.set(id, d = {g, rect: el('rect', {}, g), text: el('text', {}, g),
            e: el('line', {class: 'hostlink', 'data-host': m, 'data-switch': h.sw}, $('gh')), hit: el('line', {class: 'hit'}, $('gh'))});
          hoverable(g, id, () => hostText(h)); hoverable(d.hit, id, () => hostText(h)); draggable(g, id);
        }
        const hp = on && (on.a == m || on.b == m), c = ports.get(h.sw + '|' + h.port), t = hostText(h);
        box(id, d, p, 'node host' + (h.up ? '' : ' stale') + (hp ? ' path' : ''));
        Object.assign(d.g.dataset, {ip: h.ip, switch: h.sw, port: h.port});
        d.text.textContent = hostName(h);
        set(ends(d.e, q, p), {class: 'hostlink' + (hp ? ' path' : '')});
        Object.assign(d.e.dataset, {switch: h.sw, port: h.port, txPackets: c ? c.tp : '', txBytes: c ? c.tb : '', rxPackets: c ? c.rp : '', rxBytes: c ? c.rb : ''});
        titled(d.g, t); titled(d.e, t); titled(ends(d.hit, q, p), t);
      }
      for (const [dp, s] of sw) {
        const id = 's:' + dp, p = pos.get(id);
        if (!p) continue;
        let d = dom.get(id);
        if (!d) {
          const g = el('g', {class: 'node switch', id: 'sw-' + bare(dp), 'data-dpid': dp}, $('gn'));
          dom.set(id, d = {g, rect: el('rect', {}, g), text: el('text', {}, g)});
          hoverable(g, id, () => swText(s)); draggable(g, id);
        }
        box(id, d, p, 'node switch' + (s.up ? '' : ' down') + (on && on.sw.has(dp) ? ' path' : ''));
        d.text.textContent = swName(dp);
        titled(d.g, swText(s));
      }
      // rate labels sit on their line where they cover no box and no other label
      const boxes = [...pos].map(([id, p]) => [p.x, p.y, ...half(id)]);
      for (const [t, p, q] of labs) {
        const w = t.textContent.length * 3.4 + 6;
        const hits = ([x, y]) => boxes.reduce((s, b) => s + Math.max(0, b[2] + w - Math.abs(b[0] - x)) * Math.max(0, b[3] + 7 - Math.abs(b[1] - y)), 0);
        const at = [0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78].map(f => [p.x + (q.x - p.x) * f, p.y + (q.y - p.y) * f])
          .reduce((a, c) => hits(c) < hits(a) ? c : a);
        boxes.push([...at, w, 7]);
        set(t, {x: at[0], y: at[1]});
      }
      if (!drag) fit();
      if (hover) $('info').textContent = hover.fn();
    }
    // The view box around everything, at most 1.6 times life size.
    function fit() {
      if (!pos.size) return;
      const ps = [...pos.values()], r = svg.getBoundingClientRect(), cw = r.width || 1200, ch = r.height || 800;
      const x0 = Math.min(...ps.map(p => p.x)) - 50, x1 = Math.max(...ps.map(p => p.x)) + 50;
      const y0 = Math.min(...ps.map(p => p.y)) - 40, y1 = Math.max(...ps.map(p => p.y)) + 30;
      const sc = Math.min(1.6, cw / (x1 - x0), ch / (y1 - y0)), W = cw / sc, H = ch / sc;
      const vb = [(x0 + x1 - W) / 2, (y0 + y1 - H) / 2, W, H].map(v => Math.round(v * 10) / 10).join(' ');
      if (svg.getAttribute('viewBox') != vb) svg.setAttribute('viewBox', vb);
    }

    // ---- path ----
    function findHost(tok) {
      const t = low(tok).trim(), hs = [...hosts.values()];
      return hs.find(h => low(hostName(h)) == t) || hs.find(h => h.ip == t || bare(h.mac) == bare(t)) || null;
    }
    function fillSelects() {
      const hs = [...hosts.values()].sort((a, b) => hostName(a).localeCompare(hostName(b), undefined, {numeric: true}));
      const sig = hs.map(h => h.mac + hostName(h)).join();
      for (const s of [$('pa'), $('pb')]) {
        if (s.dataset.sig == sig) continue;
        const v = s.value;
        s.replaceChildren(...hs.map(h => new Option(hostName(h), h.mac)));
        s.value = v; s.dataset.sig = sig;
        if (s.selectedIndex < 0) s.selectedIndex = s == $('pb') ? hs.length - 1 : 0;
      }
    }
    // The path between the two chosen hosts, as the controller routes it now.
    async function askPath(errs) {
      if (want && !sel) {
        const [x, y] = want.split(','), a = findHost(x || ''), b = findHost(y || '');
        if (a && b) { sel = {a: a.mac, b: b.mac}; want = null; $('pa').value = a.mac; $('pb').value = b.mac; }
        else pathMsg = 'path: no host ' + ((a ? y : x) || '');
      }
      if (!sel) return;
      const a = hosts.get(sel.a), b = hosts.get(sel.b);
      try {
        const hops = list(await get(`/wm/routing/path/${a.sw}/${a.port}/${b.sw}/${b.port}/json`));
        const res = {a: a.mac, b: b.mac, sw: new Set(hops.map(h => low(h.switch))), links: new Set()};
        for (let i = 1; i + 1 < hops.length; i += 2) {
          const s = low(hops[i].switch), t = low(hops[i + 1].switch);
          if (s == t) continue;
          const k = linkKey(s, num(hops[i].port), t, num(hops[i + 1].port)).join('|');
          res.links.add(links.has(k) ? k : ([...links].find(([, l]) => l.a + l.b == s + t || l.a + l.b == t + s) || [k])[0]);
        }
        pathRes = res;
        pathMsg = hops.length ? `${hostName(a)} → ${hostName(b)}: ${res.sw.size} switch${res.sw.size == 1 ? '' : 'es'}` : `no path ${hostName(a)} → ${hostName(b)}`;
        $('pathinfo').classList.toggle('bad', !hops.length);
      } catch (e) { errs.push('path ' + e.message); }
    }

    // ---- polling ----
    async function poll() {
      const errs = [], now = Date.now(), got = {};
      const asks = {s: '/wm/core/controller/switches/json', l: '/wm/topology/links/json', d: '/wm/device/', p: '/wm/core/switch/all/port/json'};
      const again = polls++ % 15 == 0;
      if (!namesOk || again || [...hosts.keys()].some(m => !hostNamed(m))) asks.n = '/ui/names.json';
      if (!knownOk || again) asks.k = '/ui/links.json';
      await Promise.all(Object.entries(asks).map(([k, u]) => get(u).then(v => { got[k] = v; }, e => { if (k != 'n' && k != 'k') errs.push(u + ' ' + e.message); })));
      const take = (k, fn) => { try { if (k in got) { fn(got[k]); return true; } } catch (e) { errs.push(asks[k] + ': ' + e.message); } return false; };
      try {
        take('n', v => { names = {switches: lowKeys(v.switches), hosts: lowKeys(v.hosts), ips: v.hosts_by_ip || {}}; namesOk = true; });
        take('k', takeKnown);
        const ok = take('s', takeSwitches) & take('l', takeLinks);
        take('d', takeDevices); take('p', v => takePorts(v, now));
        if (ok) lastOk = new Date();
        layout(false);
        fillSelects();
        await askPath(errs);
        draw();
        status(errs);
        if (ok && !ready) { ready = true; document.body.dataset.ready = '1'; }
      } catch (e) { status(errs.concat(e.message)); } finally { setTimeout(poll, 1000); }
    }
    function lowKeys(o) { const r = {}; for (const k in o || {}) r[low(k)] = String(o[k]); return r; }
    function status(errs) {
      const down = [...links.values()].filter(l => !l.up).length, off = [...sw.values()].filter(s => !s.up).length, st = $('status');
      st.textContent = (lastOk ? 'updated ' + lastOk.toTimeString().slice(0, 8) : 'no answer yet') + ` — ${sw.size} switches` +
        (off ? ` (${off} not connected)` : '') + `, ${links.size} links (${down} down), ${hosts.size} hosts`;
      if (errs.length) st.appendChild(Object.assign(document.createElement('span'), {className: 'e', textContent: ' — error: ' + errs.join('; ')}));
      $('pathinfo').textContent = sel || want ? pathMsg : '';
    }
    function setQuery(v) {
      const u = new URL(location.href);
      v ? u.searchParams.set('path', v) : u.searchParams.delete('path');
      history.replaceState(null, '', u);
    }
    $('pf').addEventListener('submit', e => {
      e.preventDefault();
      const a = hosts.get($('pa').value), b = hosts.get($('pb').value);
      if (!a || !b) return;
      sel = {a: a.mac, b: b.mac}; want = null; pathRes = null;
      setQuery(hostName(a) + ',' + hostName(b));
      const errs = [];
      askPath(errs).then(() => { draw(); $('pathinfo').textContent = errs.length ? errs.join('; ') : pathMsg; });
    });
    $('pc').addEventListener('click', () => { sel = want = pathRes = null; pathMsg = ''; setQuery(''); status([]); draw(); });
    $('rates').checked = Q.get('rates') == '1';
    $('rates').addEventListener('change', draw);
    $('relayout').addEventListener('click', () => { layout(true); draw(); });
    addEventListener('resize', fit);
    poll();
    })();
    </script>
    </body>
    </html>
    """#
}
