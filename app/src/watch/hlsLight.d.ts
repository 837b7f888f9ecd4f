// hls.js ships no declarations for its `light` entry (no alt audio, subtitles, EME or CMCD,
// which a broadcast never uses; about a third smaller). Its API is the full build's.
declare module 'hls.js/light' {
  import Hls from 'hls.js';
  export default Hls;
  export * from 'hls.js';
}
