/* tacit's capture worklet (AudioWorkletGlobalScope): each input (microphone, meeting
 * audio) is mixed to mono, low-passed and resampled from the context's rate to 16 kHz;
 * frames are interleaved (Me, Them) and posted to the page 100 ms at a time. A separate
 * file because the Content-Security-Policy allows no inline script. */
"use strict";
const OUT_RATE = 16000, CHUNK = 1600;

class TacitPcm extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.channels = (options.processorOptions && options.processorOptions.channels) || 1;
    this.ratio = sampleRate / OUT_RATE;
    this.alpha = 1 - Math.exp(-2 * Math.PI * 7000 / sampleRate); /* one-pole low-pass below 8 kHz */
    this.lp = new Float32Array(this.channels);
    this.prev = new Float32Array(this.channels);
    this.t = 0;
    this.out = new Float32Array(CHUNK * this.channels);
    this.n = 0;
    this.x = [];
  }

  process(inputs) {
    const C = this.channels;
    let len = 128;
    for (const inp of inputs) if (inp && inp[0]) { len = inp[0].length; break; }
    for (let c = 0; c < C; c++) {
      if (!this.x[c] || this.x[c].length !== len) this.x[c] = new Float32Array(len);
      const x = this.x[c], inp = inputs[c] || [];
      let lp = this.lp[c];
      for (let i = 0; i < len; i++) {
        let s = 0;
        for (const ch of inp) s += ch[i];
        s = inp.length ? s / inp.length : 0;
        lp += this.alpha * (s - lp);
        x[i] = lp;
      }
      this.lp[c] = lp;
    }
    /* linear interpolation at 16 kHz positions; position -1 is the previous block's last */
    while (this.t < len - 1) {
      const i = Math.floor(this.t), f = this.t - i;
      for (let c = 0; c < C; c++) {
        const a = i < 0 ? this.prev[c] : this.x[c][i], b = this.x[c][i + 1];
        this.out[this.n * C + c] = a + f * (b - a);
      }
      if (++this.n === CHUNK) {
        this.port.postMessage(this.out, [this.out.buffer]);
        this.out = new Float32Array(CHUNK * C);
        this.n = 0;
      }
      this.t += this.ratio;
    }
    this.t -= len;
    for (let c = 0; c < C; c++) this.prev[c] = this.x[c][len - 1];
    return true;
  }
}
registerProcessor("tacit-pcm", TacitPcm);
