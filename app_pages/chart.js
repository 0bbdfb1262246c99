// The browser half of app_pages/chart.py: one plotly chart, updated in place.
let loading = null;

function plotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = new URL('__PLOTLY_URL__', document.baseURI).href;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => { loading = null; reject(new Error(script.src)); };
      document.head.appendChild(script);
    });
  }
  return loading;
}

export default function ({ data, parentElement }) {
  if (data.preload) {  // plotly.js fetched and evaluated while the page is still on its way
    plotly().catch(() => {});  // a failure is reported by the first chart drawn
    return;
  }
  let plot = parentElement.querySelector('.vc-chart');
  if (!plot) {
    plot = document.createElement('div');
    plot.className = 'vc-chart';
    plot.dataset.testid = 'vcChart';
    plot.style.width = '100%';
    parentElement.appendChild(plot);
  }
  if (plot.vcSpec === data.spec) return;  // the same figure again: nothing to draw
  plot.vcSpec = data.spec;
  plot.setAttribute('data-vc-drawing', '');
  const run = (plot.vcRun = (plot.vcRun || 0) + 1);
  plotly().then(async (Plotly) => {
    if (run !== plot.vcRun) return;  // a newer figure arrived while plotly.js loaded
    if (!plot._fullLayout) plot.textContent = '';  // an earlier failure's message
    const figure = JSON.parse(data.spec);
    const kept = plot.vcTraces || [];
    const text = figure.data.map((trace) => JSON.stringify(trace));
    // an unchanged trace is handed back as the object plotly.js already holds
    const traces = figure.data.map((trace, i) =>
      kept[i] && kept[i][0] === text[i] ? kept[i][1] : trace);
    plot.vcTraces = text.map((t, i) => [t, traces[i]]);
    plot.style.height = (figure.layout.height || 450) + 'px';
    const config = Object.assign({ responsive: true }, data.config);
    await Plotly.react(plot, traces, figure.layout, config);
  }).catch((error) => {
    plot.vcSpec = null;  // drawn again by the next run
    plot.textContent = 'The chart could not be drawn (' + error.message + '). plotly.js is ' +
      'served from app/static/: start the app with scripts/app.sh or vaultcover app.';
  }).finally(() => {
    if (run === plot.vcRun) plot.removeAttribute('data-vc-drawing');
  });
  return () => {
    if (run === plot.vcRun && !plot.isConnected && window.Plotly) window.Plotly.purge(plot);
  };
}
