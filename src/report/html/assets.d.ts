// Files the HTML report embeds, imported as text (Bun's `with { type: "text" }`), so the compiled
// binary carries them and a report needs no network at view time.
declare module "uplot/dist/uPlot.iife.min.js" {
  const text: string;
  export default text;
}
declare module "uplot/dist/uPlot.min.css" {
  const text: string;
  export default text;
}
declare module "*/page-script.js" {
  const text: string;
  export default text;
}
