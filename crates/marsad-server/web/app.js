// marsad dashboard: map, timeline, lists, search, event and story views over the HTTP API.
// Plain browser JavaScript, no build step; the vendored libraries are Leaflet (the map),
// Supercluster (point clustering) and topojson-client (the bundled base map).
// Everything from the API is put in the page as text (textContent), never as HTML.
'use strict';

(() => {
  // ---- words -------------------------------------------------------------------------------
  const WORDS = {
    ar: {
      tagline: 'أحداث الأخبار العربية على الخريطة', search: 'ابحث', search_placeholder: 'ابحث في المقالات…',
      export: 'تصدير:', timeline: 'الخط الزمني', clear_range: 'إلغاء النطاق', events: 'الأحداث', stories: 'القصص',
      search_results: 'البحث', back: '→ رجوع', lang: 'English', loading: 'جارٍ التحميل…',
      shown: (n, t) => `${fmt(n)} حدثاً معروضاً من ${fmt(t)}`, no_events: 'لا أحداث لهذا المرشّح.',
      fatalities: 'قتلى', articles: 'مقالات', outlets: 'منافذ', more: 'المزيد', all_types: 'كل الأنواع',
      date: 'التاريخ', place: 'المكان', actor1: 'الطرف الأول', actor2: 'الطرف الثاني', type: 'النوع',
      sources: 'المصادر', reports: 'روايات الأعداد', disagreements: 'خلاف بين المصادر على', evidence: 'الدليل',
      story: 'القصة', quotes: 'الاقتباسات حسب المتحدث', framing: 'التأطير', own_voice: 'بصوته', quoted: 'في اقتباس',
      genre: { news: 'خبر', opinion: 'رأي', analysis: 'تحليل', interview: 'مقابلة', other: 'غير ذلك' },
      story_events: 'أحداث القصة بالترتيب الزمني', no_text: 'النص غير متاح.', results: (n) => `${fmt(n)} نتيجة`,
      facet: { event_type: 'النوع', country: 'البلد', outlet: 'المنفذ', actor: 'الطرف', month: 'الشهر' },
      range: (a, b) => `من ${a} إلى ${b}`, removed: 'حُذف عند التنظيف', document: 'المقال', injured: 'جرحى',
      events_of_doc: 'أحداث المقال', unknown: 'غير معروف', speakers: 'المتحدثون', open_story: 'افتح القصة',
      search_hint: 'اكتب كلمات للبحث في نصوص المقالات وعناوينها.', error: 'خطأ',
      // Arabic counted nouns: 1 مقال، 2 مقالان، 3–10 مقالات، 11 فما فوق مقالاً.
      n_articles: (n) => (n === 1 ? 'مقال واحد' : n === 2 ? 'مقالان' : `${fmt(n)} ${n % 100 >= 3 && n % 100 <= 10 ? 'مقالات' : 'مقالاً'}`),
      unit_canonical: 'حدث لكل واقعة', unit_mentions: 'نقطة لكل رواية',
      fields: { event_type: 'النوع', sub_event_type: 'النوع الفرعي', date: 'التاريخ', place: 'المكان', actor1: 'الطرف الأول', actor2: 'الطرف الثاني', fatalities: 'القتلى', injured: 'الجرحى' },
    },
    en: {
      tagline: 'Arabic news events on the map', search: 'Search', search_placeholder: 'Search the articles…',
      export: 'Export:', timeline: 'Timeline', clear_range: 'clear range', events: 'Events', stories: 'Stories',
      search_results: 'Search', back: '← Back', lang: 'العربية', loading: 'Loading…',
      shown: (n, t) => `${fmt(n)} of ${fmt(t)} events shown`, no_events: 'No events for this filter.',
      fatalities: 'fatalities', articles: 'articles', outlets: 'outlets', more: 'More', all_types: 'All types',
      date: 'Date', place: 'Place', actor1: 'Actor 1', actor2: 'Actor 2', type: 'Type',
      sources: 'Sources', reports: 'Counts as reported', disagreements: 'Sources disagree on', evidence: 'Evidence',
      story: 'Story', quotes: 'Quotes by speaker', framing: 'Framing', own_voice: 'own voice', quoted: 'quoted',
      genre: { news: 'news', opinion: 'opinion', analysis: 'analysis', interview: 'interview', other: 'other' },
      story_events: "The story's events in time", no_text: 'No text available.', results: (n) => `${fmt(n)} results`,
      facet: { event_type: 'Type', country: 'Country', outlet: 'Outlet', actor: 'Actor', month: 'Month' },
      range: (a, b) => `${a} to ${b}`, removed: 'removed when cleaning', document: 'Article', injured: 'injured',
      events_of_doc: "The article's events", unknown: 'unknown', speakers: 'Speakers', open_story: 'Open the story',
      search_hint: 'Type words to search the articles’ text and titles.', error: 'Error',
      n_articles: (n) => (n === 1 ? '1 article' : `${fmt(n)} articles`),
      unit_canonical: 'one point per event', unit_mentions: 'one point per report',
      fields: { event_type: 'type', sub_event_type: 'sub-type', date: 'date', place: 'place', actor1: 'actor 1', actor2: 'actor 2', fatalities: 'fatalities', injured: 'injured' },
    },
  };
  // ACLED event types, their colours (CSS variables) and Arabic names.
  const TYPES = [
    ['Battles', 'battles', 'معارك'],
    ['Explosions/Remote violence', 'explosions', 'انفجارات وعنف عن بعد'],
    ['Violence against civilians', 'vac', 'عنف ضد المدنيين'],
    ['Protests', 'protests', 'احتجاجات'],
    ['Riots', 'riots', 'أعمال شغب'],
    ['Strategic developments', 'strategic', 'تطورات استراتيجية'],
  ];
  const TYPE_KEY = Object.fromEntries(TYPES.map(([t, k]) => [t, k]));
  const css = getComputedStyle(document.documentElement);
  const colour = (type) => css.getPropertyValue(`--${TYPE_KEY[type] || 'other'}`).trim() || '#607d8b';

  const state = {
    lang: localStorage.getItem('marsad.lang') === 'en' ? 'en' : 'ar',
    filter: {}, // type, country, actor, outlet: sent to the server
    range: null, // [from, to] days chosen on the timeline
    points: [], total: 0, actors: {},
    tab: 'events', listShown: 200, query: '',
    // One point per real-world event (canonical), or per article's report.
    mentions: new URLSearchParams(location.search).get('mentions') === '1',
  };
  const w = (k) => WORDS[state.lang][k];
  // The list separator of the interface's language.
  const comma = () => (state.lang === 'ar' ? '، ' : ', ');
  const fmt = (n) => new Intl.NumberFormat(state.lang === 'ar' ? 'ar-EG' : 'en-US').format(n);
  const typeName = (t) => (state.lang === 'ar' ? (TYPES.find((x) => x[0] === t) || [])[2] : null) || t;
  // A country's name in the interface's language (the browser knows them), else its code.
  const regionNames = {};
  const countryName = (cc) => {
    if (!cc) return '';
    try {
      regionNames[state.lang] = regionNames[state.lang] || new Intl.DisplayNames([state.lang], { type: 'region' });
      return regionNames[state.lang].of(cc) || cc;
    } catch (e) { return cc; }
  };
  // Admin-1 as a name; a bare GeoNames code (TR.34) says nothing to a reader.
  const admin1Name = (a) => (a && !/^[A-Z]{2}\.[A-Z0-9]+$/.test(a) ? a : '');
  const placeName = (p) => (state.lang === 'ar' && p.location_ar) || p.location || admin1Name(p.admin1) || countryName(p.country);
  const actorName = (id) => {
    const a = state.actors[id];
    if (!a) return id || '';
    return (state.lang === 'ar' ? a.name_ar || a.name_en : a.name_en || a.name_ar) || id;
  };

  // ---- small DOM helpers ---------------------------------------------------------------------
  const $ = (id) => document.getElementById(id);
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
    return e;
  }
  const swatch = (type) => {
    const s = el('span', { class: 'swatch' });
    s.style.background = colour(type);
    return s;
  };

  async function api(path) {
    const r = await fetch(path, { headers: { Accept: 'application/json' } });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error((body.error && body.error.message) || `${r.status}`);
    return body;
  }
  const query = (o) => new URLSearchParams(Object.entries(o).filter(([, v]) => v !== null && v !== undefined && v !== '')).toString();
  const serverFilter = () => ({ ...state.filter, from: state.range && state.range[0], to: state.range && state.range[1] });
  const unitParam = () => (state.mentions ? { mentions: true } : {});

  // Text with UTF-8 byte ranges marked: the API's offsets are bytes of the original text.
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  function marked(text, ranges) {
    // ranges: [{start, end, cls, title}] in bytes, possibly overlapping: cut at every boundary.
    const bytes = enc.encode(text);
    const cuts = new Set([0, bytes.length]);
    for (const r of ranges) { cuts.add(Math.max(0, Math.min(r.start, bytes.length))); cuts.add(Math.max(0, Math.min(r.end, bytes.length))); }
    const points = [...cuts].sort((a, b) => a - b);
    const out = document.createDocumentFragment();
    for (let i = 0; i + 1 < points.length; i++) {
      const [a, b] = [points[i], points[i + 1]];
      const piece = dec.decode(bytes.subarray(a, b));
      const over = ranges.filter((r) => r.start <= a && r.end >= b && r.end > r.start);
      if (!over.length) { out.append(piece); continue; }
      const top = over[over.length - 1];
      const node = el(top.tag || 'mark', { class: over.map((r) => r.cls).join(' '), title: top.title });
      node.textContent = piece;
      out.append(node);
    }
    return out;
  }

  // ---- language ------------------------------------------------------------------------------
  function applyLanguage() {
    document.documentElement.lang = state.lang;
    document.documentElement.dir = state.lang === 'ar' ? 'rtl' : 'ltr';
    for (const e of document.querySelectorAll('[data-i18n]')) e.textContent = w(e.dataset.i18n);
    for (const e of document.querySelectorAll('[data-i18n-placeholder]')) e.placeholder = w(e.dataset.i18nPlaceholder);
    $('lang').textContent = w('lang');
    $('unit').textContent = w(state.mentions ? 'unit_mentions' : 'unit_canonical');
    renderLegend();
    renderChips();
  }

  // ---- map -----------------------------------------------------------------------------------
  let map, markers, index, baseCountries, baseAdmin1;
  function initMap() {
    map = L.map('map', { zoomControl: true, attributionControl: true, preferCanvas: false, worldCopyJump: false, minZoom: 2, maxZoom: 12 });
    map.attributionControl.setPrefix('');
    map.attributionControl.addAttribution('Natural Earth (public domain)');
    map.fitBounds([[12, 9], [40, 58]]);
    const canvas = L.canvas({ padding: 0.3 });
    markers = L.layerGroup().addTo(map);
    Promise.all([api('/assets/basemap/countries.json'), api('/assets/basemap/admin1.json')]).then(([c, a]) => {
      const land = topojson.feature(c, c.objects.countries);
      baseCountries = L.geoJSON(land, {
        renderer: canvas, interactive: false,
        style: { color: '#9aa1a8', weight: 0.8, fillColor: '#f3f0e8', fillOpacity: 1 },
      }).addTo(map);
      baseCountries.bringToBack();
      const provinces = topojson.feature(a, a.objects[Object.keys(a.objects)[0]]);
      baseAdmin1 = L.geoJSON(provinces, { renderer: canvas, interactive: false, style: { color: '#c4bdae', weight: 0.6, fill: false } });
      showAdmin1();
      map.on('zoomend', showAdmin1);
    }).catch((e) => status(`${w('error')}: ${e.message}`));
    map.on('moveend', drawMarkers);
  }
  function showAdmin1() {
    if (!baseAdmin1) return;
    if (map.getZoom() >= 5) baseAdmin1.addTo(map); else baseAdmin1.remove();
  }
  function status(text) { $('status').textContent = text; }

  const visible = () => {
    const [from, to] = state.range || ['', '\uffff'];
    return state.points.filter((p) => p.date.slice(0, 10) >= from && p.date.slice(0, 10) <= to);
  };

  function buildIndex() {
    const features = [];
    for (const p of visible()) {
      if (p.lat === null || p.lon === null) continue;
      features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [p.lon, p.lat] }, properties: { p, f: p.fatalities || 0, t: { [p.event_type]: 1 } } });
    }
    index = new Supercluster({
      radius: 60, maxZoom: 10,
      map: (props) => ({ f: props.f, t: { ...props.t } }),
      reduce: (acc, props) => { acc.f += props.f; for (const k in props.t) acc.t[k] = (acc.t[k] || 0) + props.t[k]; },
    });
    index.load(features);
  }

  function drawMarkers() {
    if (!index || !map) return;
    markers.clearLayers();
    const b = map.getBounds();
    const clusters = index.getClusters([b.getWest() - 1, b.getSouth() - 1, b.getEast() + 1, b.getNorth() + 1], Math.round(map.getZoom()));
    for (const c of clusters) {
      const [lon, lat] = c.geometry.coordinates;
      const props = c.properties;
      if (props.cluster) {
        const top = Object.entries(props.t).sort((a, b) => b[1] - a[1])[0][0];
        const n = props.point_count;
        const m = L.circleMarker([lat, lon], {
          radius: 8 + 2.4 * Math.log2(n), color: '#fff', weight: 1.5, fillColor: colour(top), fillOpacity: 0.85,
          className: 'marker cluster',
        });
        m.bindTooltip(fmt(n), { permanent: true, direction: 'center', className: 'count' });
        m.on('click', () => map.flyTo([lat, lon], Math.min(index.getClusterExpansionZoom(props.cluster_id), 12)));
        markers.addLayer(m);
      } else {
        const p = props.p;
        const m = L.circleMarker([lat, lon], {
          radius: 4.5 + 2.2 * Math.sqrt(p.fatalities || 0), color: '#fff', weight: 1, fillColor: colour(p.event_type), fillOpacity: 0.9,
          className: `marker point type-${TYPE_KEY[p.event_type] || 'other'}`,
        });
        m.bindTooltip(`${p.date} · ${typeName(p.event_type)} · ${placeName(p)}${p.fatalities ? ` · ${fmt(p.fatalities)} ${w('fatalities')}` : ''}`);
        if (p.id) m.on('click', () => go(`#/event/${p.id}`));
        markers.addLayer(m);
      }
    }
  }

  // ---- timeline (stacked bars by type, brushing) -----------------------------------------------
  const DAY = 86400000;
  const dayNum = (d) => Math.floor(Date.parse(`${d.slice(0, 10)}T00:00:00Z`) / DAY);
  const dayStr = (n) => new Date(n * DAY).toISOString().slice(0, 10);
  let timelineScale = null;
  function renderTimeline() {
    const box = $('timeline');
    box.textContent = '';
    const pts = state.points.filter((p) => p.date);
    if (!pts.length) { timelineScale = null; return; }
    let lo = Infinity, hi = -Infinity;
    for (const p of pts) { const d = dayNum(p.date); if (d < lo) lo = d; if (d > hi) hi = d; }
    const span = hi - lo + 1;
    const step = span <= 120 ? 1 : span <= 1000 ? 7 : 30;
    const buckets = Math.ceil(span / step);
    const counts = Array.from({ length: buckets }, () => ({}));
    for (const p of pts) { const i = Math.floor((dayNum(p.date) - lo) / step); counts[i][p.event_type] = (counts[i][p.event_type] || 0) + 1; }
    const max = Math.max(1, ...counts.map((c) => Object.values(c).reduce((a, b) => a + b, 0)));
    const W = box.clientWidth || 600, H = box.clientHeight || 130, pad = 18;
    const bw = (W - 2) / buckets;
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    svg.setAttribute('preserveAspectRatio', 'none');
    counts.forEach((c, i) => {
      let y = H - pad;
      for (const [t] of TYPES.concat([['other']])) {
        const n = t === 'other' ? Object.entries(c).filter(([k]) => !TYPE_KEY[k]).reduce((a, [, v]) => a + v, 0) : c[t] || 0;
        if (!n) continue;
        const h = (n / max) * (H - pad - 4);
        const r = document.createElementNS(ns, 'rect');
        r.setAttribute('x', 1 + i * bw); r.setAttribute('y', y - h);
        r.setAttribute('width', Math.max(bw - (bw > 3 ? 1 : 0), 0.5)); r.setAttribute('height', h);
        r.setAttribute('fill', colour(t));
        r.setAttribute('class', `bar type-${TYPE_KEY[t] || 'other'}`);
        svg.append(r);
        y -= h;
      }
    });
    for (const frac of [0, 0.5, 1]) {
      const t = document.createElementNS(ns, 'text');
      t.setAttribute('class', 'axis');
      t.setAttribute('x', Math.min(Math.max(frac * W, 2), W - 2));
      t.setAttribute('y', H - 4);
      t.setAttribute('text-anchor', frac === 0 ? 'start' : frac === 1 ? 'end' : 'middle');
      t.textContent = dayStr(lo + Math.round(frac * (span - 1)));
      svg.append(t);
    }
    const brush = document.createElementNS(ns, 'rect');
    brush.setAttribute('class', 'brush'); brush.setAttribute('y', 0); brush.setAttribute('height', H - pad);
    brush.setAttribute('width', 0);
    svg.append(brush);
    box.append(svg);
    timelineScale = { lo, span, W, brush, svg };
    drawBrush();
    // Dragging selects a range of days; a click without a drag clears it.
    let start = null;
    const x = (ev) => { const r = svg.getBoundingClientRect(); return ((ev.clientX - r.left) / r.width) * W; };
    const day = (px) => lo + Math.max(0, Math.min(span - 1, Math.floor((px / W) * span)));
    svg.addEventListener('pointerdown', (ev) => { start = x(ev); svg.setPointerCapture(ev.pointerId); });
    svg.addEventListener('pointermove', (ev) => {
      if (start === null) return;
      const [a, b] = [Math.min(start, x(ev)), Math.max(start, x(ev))];
      brush.setAttribute('x', a); brush.setAttribute('width', b - a);
    });
    svg.addEventListener('pointerup', (ev) => {
      if (start === null) return;
      const end = x(ev);
      const moved = Math.abs(end - start) > 3;
      const [a, b] = [Math.min(start, end), Math.max(start, end)];
      start = null;
      setRange(moved ? [dayStr(day(a)), dayStr(day(b))] : null);
    });
  }
  function drawBrush() {
    const s = timelineScale;
    $('brush-clear').hidden = !state.range;
    $('brush-label').textContent = state.range ? w('range')(state.range[0], state.range[1]) : '';
    if (!s) return;
    if (!state.range) { s.brush.setAttribute('width', 0); return; }
    const a = ((dayNum(state.range[0]) - s.lo) / s.span) * s.W;
    const b = ((dayNum(state.range[1]) - s.lo + 1) / s.span) * s.W;
    s.brush.setAttribute('x', Math.max(0, a)); s.brush.setAttribute('width', Math.max(1, Math.min(s.W, b) - Math.max(0, a)));
  }
  function setRange(r) {
    state.range = r;
    drawBrush();
    refreshViews();
  }

  // ---- filters -------------------------------------------------------------------------------
  function renderLegend() {
    const box = $('legend');
    box.textContent = '';
    box.append(el('button', { type: 'button', 'aria-pressed': String(!state.filter.type), onclick: () => setFilter('type', null), text: w('all_types') }));
    for (const [t, key] of TYPES) {
      box.append(el('button', {
        type: 'button', 'data-type': t, class: `type-filter type-${key}`, 'aria-pressed': String(state.filter.type === t),
        onclick: () => setFilter('type', state.filter.type === t ? null : t),
      }, swatch(t), typeName(t)));
    }
  }
  function renderChips() {
    const box = $('chips');
    box.textContent = '';
    for (const k of ['country', 'actor', 'outlet']) {
      const v = state.filter[k];
      if (!v) continue;
      box.append(el('button', { type: 'button', class: 'chip', title: '×', onclick: () => setFilter(k, null) },
        `${w('facet')[k]}: ${k === 'actor' ? actorName(v) : k === 'country' ? countryName(v) : v} ×`));
    }
  }
  function setFilter(key, value) {
    if (value) state.filter[key] = value; else delete state.filter[key];
    renderLegend();
    renderChips();
    loadPoints();
    if (state.query) runSearch();
  }
  function updateExports() {
    for (const f of ['csv', 'jsonl', 'geojson', 'parquet']) {
      const a = $(`export-${f}`);
      a.href = `/api/events?${query({ format: f, ...unitParam(), ...serverFilter() })}`;
      a.setAttribute('download', `marsad-events.${f}`);
    }
  }

  // ---- data ----------------------------------------------------------------------------------
  let loadSeq = 0;
  async function loadPoints() {
    const seq = ++loadSeq;
    status(w('loading'));
    try {
      const r = await api(`/api/points?${query({ ...state.filter, ...unitParam(), limit: 20000 })}`);
      if (seq !== loadSeq) return;
      state.points = r.items; state.total = r.total; state.actors = { ...state.actors, ...r.actors };
      // A range chosen before the filter changed may hold nothing now: keep it anyway, the
      // user clears it.
      renderTimeline();
      refreshViews();
      renderChips();
      if (!firstRender) {
        firstRender = true;
        performance.mark('marsad-first-render');
        document.body.dataset.ready = 'true';
      }
    } catch (e) {
      status(`${w('error')}: ${e.message}`);
    }
  }
  let firstRender = false;

  function refreshViews() {
    buildIndex();
    drawMarkers();
    const n = visible().length;
    status(w('shown')(n, state.total));
    state.listShown = 200;
    renderEvents();
    updateExports();
    if (state.tab === 'stories') loadStories();
  }

  // ---- side panel ----------------------------------------------------------------------------
  function selectTab(name) {
    state.tab = name;
    for (const b of document.querySelectorAll('.tabs button')) b.setAttribute('aria-selected', String(b.dataset.tab === name));
    for (const t of ['events', 'stories', 'search']) $(`tab-${t}`).hidden = t !== name;
    if (name === 'stories') loadStories();
    if (name === 'search' && !state.query) { const box = $('tab-search'); box.textContent = ''; box.append(el('p', { class: 'hint', text: w('search_hint') })); }
  }

  function eventRow(p) {
    return el('li', { 'data-event': p.id, 'data-type': p.event_type, onclick: p.id ? () => go(`#/event/${p.id}`) : null },
      el('div', { class: 'title' }, swatch(p.event_type), ' ', `${typeName(p.event_type)} — ${placeName(p) || w('unknown')}`),
      el('div', { class: 'meta' },
        el('span', { text: p.date }),
        el('span', { text: p.sub_event_type }),
        p.actor1 || p.actor2 ? el('span', { text: [p.actor1, p.actor2].filter(Boolean).map(actorName).join(' / ') }) : null,
        p.fatalities ? el('span', { text: `${fmt(p.fatalities)} ${w('fatalities')}` }) : null,
        el('span', { text: w('n_articles')(p.articles) })));
  }

  function renderEvents() {
    const box = $('tab-events');
    box.textContent = '';
    const list = visible();
    if (!list.length) { box.append(el('p', { class: 'hint', text: w('no_events') })); return; }
    const ul = el('ul', { class: 'rows', id: 'event-list' });
    for (const p of list.slice(0, state.listShown)) ul.append(eventRow(p));
    box.append(ul);
    if (list.length > state.listShown) {
      box.append(el('button', { type: 'button', class: 'more', onclick: () => { state.listShown += 200; renderEvents(); }, text: w('more') }));
    }
  }

  let storiesSeq = 0;
  async function loadStories() {
    const seq = ++storiesSeq;
    const box = $('tab-stories');
    try {
      const r = await api(`/api/stories?${query({ by_size: true, limit: 100, from: state.range && state.range[0], to: state.range && state.range[1] })}`);
      if (seq !== storiesSeq) return;
      box.textContent = '';
      const ul = el('ul', { class: 'rows' });
      for (const s of r.items) {
        ul.append(el('li', { 'data-story': s.id, onclick: () => go(`#/story/${s.id}`) },
          el('div', { class: 'title', text: state.lang === 'ar' ? s.label_ar : s.label_en }),
          el('div', { class: 'meta' }, el('span', { text: `${s.first_day} – ${s.last_day}` }),
            el('span', { text: w('n_articles')(s.articles) }), el('span', { text: `${fmt(s.outlets)} ${w('outlets')}` }),
            el('span', { text: `${fmt(s.events)} ${w('events')}` }))));
      }
      box.append(ul);
    } catch (e) { box.textContent = `${w('error')}: ${e.message}`; }
  }

  async function runSearch() {
    selectTab('search');
    const box = $('tab-search');
    box.textContent = w('loading');
    try {
      const r = await api(`/api/search?${query({ q: state.query, ...serverFilter(), limit: 50 })}`);
      box.textContent = '';
      box.append(el('p', { class: 'summary', text: w('results')(r.total) }));
      const facets = el('div', { class: 'facets' });
      for (const [k, values] of Object.entries(r.facets || {})) {
        if (!values.length) continue;
        const chips = el('div', { class: 'chips' });
        for (const f of values.slice(0, 8)) {
          const key = k === 'event_type' ? 'type' : k;
          const label = k === 'event_type' ? typeName(f.value) : k === 'country' ? countryName(f.value) : f.label || f.value;
          chips.append(el('button', { type: 'button', 'data-facet': k, onclick: () => (k === 'month' ? setRange([`${f.value}-01`, monthEnd(f.value)]) : setFilter(key, f.value)) },
            `${label} (${fmt(f.count)})`));
        }
        facets.append(el('div', {}, el('h4', { text: w('facet')[k] || k }), chips));
      }
      box.append(facets);
      const ul = el('ul', { class: 'rows' });
      for (const h of r.items) {
        const snip = h.snippet ? el('div', { class: 'snippet' }, marked(h.snippet.text, h.snippet.highlights.map(([s, e]) => ({ start: s, end: e, cls: 'hit' })))) : null;
        ul.append(el('li', { 'data-doc': h.id, onclick: () => go(`#/doc/${encodeURIComponent(h.id)}`) },
          el('div', { class: 'title', text: h.title || h.id }),
          el('div', { class: 'meta' }, el('span', { text: h.outlet || '' }), el('span', { text: h.published || '' })), snip));
      }
      box.append(ul);
    } catch (e) { box.textContent = `${w('error')}: ${e.message}`; }
  }
  const monthEnd = (m) => { const [y, mo] = m.split('-').map(Number); return new Date(Date.UTC(y, mo, 0)).toISOString().slice(0, 10); };

  // ---- detail views --------------------------------------------------------------------------
  function openDetail() { $('detail').hidden = false; const b = $('detail-body'); b.textContent = w('loading'); return b; }
  function closeDetail() { $('detail').hidden = true; $('detail-body').textContent = ''; }

  const docCache = new Map();
  const getDoc = (id) => {
    if (!docCache.has(id)) docCache.set(id, api(`/api/documents/${encodeURIComponent(id)}`));
    return docCache.get(id);
  };

  // An article's text with its removed parts struck out and the given ranges marked.
  function articleText(doc, ranges) {
    const removed = (doc.layout || []).filter((l) => l.role === 'removed').map((l) => ({ start: l.start, end: l.end, cls: 'removed', tag: 'span', title: `${w('removed')}: ${l.reason}` }));
    return el('div', { class: 'text' }, doc.text ? marked(doc.text, removed.concat(ranges)) : w('no_text'));
  }

  function articleCard(doc, ranges, extra) {
    return el('article', { class: 'article', 'data-doc': doc.id },
      el('h3', { text: doc.title || doc.id }),
      el('div', { class: 'meta hint' }, `${doc.outlet || ''} · ${doc.published || ''} · ${(w('genre')[doc.genre] || doc.genre || '')}`,
        // Only web addresses become links (an ingested record may carry anything).
        /^https?:\/\//i.test(doc.url || '') ? [' · ', el('a', { href: doc.url, rel: 'noopener noreferrer', target: '_blank', text: 'URL' })] : null),
      extra || null,
      articleText(doc, ranges));
  }

  function fact(dl, k, v) { if (v !== null && v !== undefined && v !== '') dl.append(el('dt', { text: w(k) }), el('dd', {}, v)); }

  async function showEvent(id) {
    const body = openDetail();
    try {
      const e = await api(`/api/events/${id}`);
      body.textContent = '';
      body.append(el('h2', {}, swatch(e.event_type), ' ', `${typeName(e.event_type)} — ${e.sub_event_type}`));
      const dl = el('dl', { class: 'facts', id: 'event-facts' });
      fact(dl, 'date', e.date);
      const known = state.points.find((p) => p.id === e.id);
      const where = [known ? placeName(known) : e.location, admin1Name(e.admin1), countryName(e.country)];
      fact(dl, 'place', [...new Set(where.filter(Boolean))].join(comma()));
      const needNames = [e.actor1, e.actor2].filter((a) => a && !state.actors[a]);
      await Promise.all(needNames.map((a) => api(`/api/actors/${encodeURIComponent(a)}`).then((d) => { state.actors[a] = d.actor; }).catch(() => null)));
      fact(dl, 'actor1', e.actor1 && actorName(e.actor1));
      fact(dl, 'actor2', e.actor2 && actorName(e.actor2));
      fact(dl, 'fatalities', e.fatalities === null ? null : fmt(e.fatalities));
      const reports = (e.summary.fatality_reports || []).map((r) => `${r.outlet || ''}: ${fmt(r.value)}`);
      fact(dl, 'reports', reports.length ? reports.join(' · ') : null);
      const injured = (e.summary.injury_reports || []).map((r) => `${r.outlet || ''}: ${fmt(r.value)}`);
      fact(dl, 'injured', injured.length ? injured.join(' · ') : null);
      const disputed = (e.summary.disagreements || []).map((f) => w('fields')[f] || f);
      fact(dl, 'disagreements', disputed.length ? disputed.join(comma()) : null);
      fact(dl, 'sources', e.sources.join(' · '));
      fact(dl, 'story', el('a', { href: `#/story/${e.story}`, text: `#${e.story} — ${w('open_story')}` }));
      body.append(dl);
      // Every article that reports it, the evidence sentence marked in its text.
      const byDoc = new Map();
      for (const m of e.mentions) { if (!byDoc.has(m.document)) byDoc.set(m.document, []); byDoc.get(m.document).push(m); }
      const grid = el('div', { class: 'articles' });
      body.append(el('h3', { text: w('evidence') }), grid);
      for (const [docId, ms] of byDoc) {
        const d = await getDoc(docId).catch(() => null);
        if (!d) continue;
        grid.append(articleCard(d.document, ms.map((m) => ({ start: m.start, end: m.end, cls: 'evidence', title: w('evidence') }))));
      }
      const first = body.querySelector('mark.evidence');
      if (first) first.scrollIntoView({ block: 'center' });
    } catch (err) { body.textContent = `${w('error')}: ${err.message}`; }
  }

  async function showDocument(id) {
    const body = openDetail();
    try {
      const d = await getDoc(id);
      const doc = d.document;
      body.textContent = '';
      const events = (doc.events || []).map((ev, i) => ({ ev, i, canonical: (d.canonical_events.find((c) => c.index === i) || {}).canonical }));
      const list = el('ul', { class: 'story-events' });
      for (const { ev, canonical } of events) {
        if (!ev.acled) continue;
        list.append(el('li', { onclick: canonical ? () => go(`#/event/${canonical}`) : null },
          swatch(ev.acled.event_type), ' ', `${typeName(ev.acled.event_type)} — ${ev.acled.sub_event_type} · ${ev.modality || ''}`));
      }
      const ranges = events.filter((x) => x.ev.acled && x.ev.evidence).map((x) => ({ start: x.ev.evidence.start, end: x.ev.evidence.end, cls: 'evidence', title: w('evidence') }));
      body.append(el('h2', { text: doc.title || doc.id }));
      if (d.story) body.append(el('p', {}, el('a', { href: `#/story/${d.story}`, text: `${w('story')} #${d.story}` })));
      body.append(el('h3', { text: w('events_of_doc') }), list, articleCard(doc, ranges));
    } catch (err) { body.textContent = `${w('error')}: ${err.message}`; }
  }

  async function showStory(id) {
    const body = openDetail();
    try {
      const s = await api(`/api/stories/${id}`);
      body.textContent = '';
      body.append(el('h2', { text: state.lang === 'ar' ? s.label_ar : s.label_en }),
        el('p', { class: 'hint', text: `${s.first_day} – ${s.last_day} · ${w('n_articles')(s.articles.length)} · ${fmt(s.outlets)} ${w('outlets')}` }));
      // The events in time.
      const evs = el('ul', { class: 'story-events', id: 'story-events' });
      for (const e of s.events) {
        evs.append(el('li', { onclick: () => go(`#/event/${e.id}`) }, swatch(e.event_type), ' ',
          `${e.date} · ${typeName(e.event_type)} — ${e.location || e.admin1 || ''}${e.fatalities ? ` · ${fmt(e.fatalities)} ${w('fatalities')}` : ''} · ${e.sources.join('، ')}`));
      }
      body.append(el('h3', { text: w('story_events') }), evs);
      // Every outlet's articles side by side with its framing.
      const framing = new Map(s.framing.map((f) => [f.outlet, f]));
      const grid = el('div', { class: 'articles', id: 'story-articles' });
      body.append(el('h3', { text: `${w('articles')} · ${w('framing')}` }), grid);
      const docs = await Promise.all(s.articles.slice(0, 24).map((a) => getDoc(a.id).then((d) => d.document).catch(() => null)));
      for (const doc of docs.filter(Boolean)) {
        const f = framing.get(doc.outlet);
        const terms = f ? f.terms : [];
        const tags = el('div', { class: 'framing' }, w('framing'), ': ', terms.slice(0, 12).map((t) =>
          el('span', { class: `tag ${t.stance || ''}`, title: `${t.frame} · ${t.gloss || ''}` },
            `${t.term} (${w('own_voice')} ${fmt(t.own_voice)}${comma()}${w('quoted')} ${fmt(t.quoted)})`)));
        const ranges = terms.filter((t) => t.document === doc.id).map((t) => ({ start: t.start, end: t.end, cls: `frame ${t.stance || ''}`, title: `${t.frame} · ${t.gloss || ''}` }));
        grid.append(articleCard(doc, ranges, terms.length ? tags : null));
      }
      // Quotes by speaker.
      const bySpeaker = new Map();
      for (const q of s.quotes) { const k = q.speaker || w('unknown'); if (!bySpeaker.has(k)) bySpeaker.set(k, []); bySpeaker.get(k).push(q); }
      const quotes = el('div', { class: 'quotes', id: 'story-quotes' });
      for (const [speaker, qs] of [...bySpeaker].sort((a, b) => b[1].length - a[1].length)) {
        quotes.append(el('div', {}, el('h4', { text: `${speaker} (${fmt(qs.length)})` }),
          qs.slice(0, 6).map((q) => el('blockquote', {}, q.text, el('div', { class: 'hint', text: `— ${q.outlet || ''}${q.cue ? ` · ${q.cue}` : ''}${q.channel ? ` · ${q.channel}` : ''}` })))));
      }
      body.append(el('h3', { text: w('quotes') }), quotes);
    } catch (err) { body.textContent = `${w('error')}: ${err.message}`; }
  }

  // ---- routing -------------------------------------------------------------------------------
  function go(hash) { if (location.hash === hash) route(); else location.hash = hash; }
  function route() {
    const m = location.hash.match(/^#\/(event|story|doc)\/(.+)$/);
    if (!m) { closeDetail(); return; }
    const id = decodeURIComponent(m[2]);
    if (m[1] === 'event') showEvent(id);
    else if (m[1] === 'story') showStory(id);
    else showDocument(id);
  }

  // ---- start ---------------------------------------------------------------------------------
  function start() {
    applyLanguage();
    initMap();
    $('lang').addEventListener('click', () => {
      state.lang = state.lang === 'ar' ? 'en' : 'ar';
      localStorage.setItem('marsad.lang', state.lang);
      applyLanguage();
      refreshViews();
      renderTimeline();
      if (state.query) runSearch();
      route();
    });
    $('brush-clear').addEventListener('click', () => setRange(null));
    $('unit').addEventListener('click', () => {
      state.mentions = !state.mentions;
      applyLanguage();
      loadPoints();
    });
    $('detail-close').addEventListener('click', () => { history.pushState(null, '', location.pathname); closeDetail(); });
    $('search-form').addEventListener('submit', (ev) => { ev.preventDefault(); state.query = $('q').value.trim(); if (state.query) runSearch(); });
    for (const b of document.querySelectorAll('.tabs button')) b.addEventListener('click', () => selectTab(b.dataset.tab));
    window.addEventListener('hashchange', route);
    let resize;
    window.addEventListener('resize', () => { clearTimeout(resize); resize = setTimeout(() => { renderTimeline(); map.invalidateSize(); }, 150); });
    selectTab('events');
    loadPoints();
    route();
  }
  document.addEventListener('DOMContentLoaded', start);
})();
