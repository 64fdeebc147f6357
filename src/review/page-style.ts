/** The page's styles, inlined so that review.html is one self-contained file. */
export const PAGE_CSS = `
:root{color-scheme:dark;font:14px/1.4 system-ui,sans-serif;background:#15171a;color:#e6e6e6}
body{margin:0}
header{position:sticky;top:0;z-index:1;background:#1d2024;padding:.6rem 1rem;border-bottom:1px solid #2c3036}
h1{font-size:1.1rem;margin:0}
.counts{margin:.2rem 0;color:#9aa3ad}
.filters a{color:#9ecbff;margin-right:.8rem;text-decoration:none}
.filters a[aria-current]{color:#fff;border-bottom:2px solid #9ecbff}
main{padding:0 1rem}
.shot{border-bottom:1px solid #2c3036;padding:.8rem 0;outline:none}
.shot.current{box-shadow:inset 4px 0 #9ecbff;padding-left:.6rem}
.shot[hidden]{display:none}
h2{font-size:1rem;margin:0 0 .2rem}
h2 a{color:inherit}
.prompt{margin:.2rem 0 .5rem;color:#c8ccd1;max-width:70rem;overflow-wrap:anywhere}
.badge{font-size:.75rem;padding:.05rem .4rem;border-radius:.6rem;margin-left:.3rem;background:#3a3f46;font-weight:normal}
.state-approved{background:#1f6f43}.state-rejected{background:#7a2630}.stale{background:#8a6d1a}.chosen{background:#245d8f}
.takes{display:flex;flex-wrap:wrap;gap:.8rem}
.take{margin:0;background:#1d2024;border:2px solid transparent;border-radius:.4rem;padding:.4rem;width:min(100%,16rem)}
.take.chosen{border-color:#4b9fe6}
.take video,.placeholder,.facade{display:block;width:100%;height:9rem;object-fit:contain;background:#000;border-radius:.2rem}
.facade{position:relative}.facade img{display:block;width:100%;height:100%;object-fit:contain}
.facade::after{content:"";position:absolute;inset:0;margin:auto;width:0;height:0;border-style:solid;border-width:.9rem 0 .9rem 1.5rem;border-color:transparent transparent transparent #fffc;filter:drop-shadow(0 0 .3rem #000)}
.facade:hover::after,.facade:focus-visible::after{border-left-color:#9ecbff}
@media (scripting:none){.facade{display:none}}
.placeholder{display:flex;flex-direction:column;align-items:center;justify-content:center;color:#9aa3ad;gap:.4rem}
figcaption{font-weight:600;margin:.3rem 0 .1rem}
.facts{margin:0;font-size:.8rem;color:#b4bac1;overflow-wrap:anywhere}
.error{color:#ff9a9a;font-size:.8rem;overflow-wrap:anywhere}.hint{color:#ffd479}
.note{color:#ffd479;overflow-wrap:anywhere}
.decide{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin-top:.5rem}
.decide button,.note-form button{background:#2c3036;color:inherit;border:1px solid #444a52;border-radius:.3rem;padding:.2rem .6rem;cursor:pointer}
.decide button[aria-pressed=true]{background:#245d8f}
.decide .approve{border-color:#1f6f43}.decide .reject{border-color:#7a2630}
.note-form{display:flex;gap:.4rem;margin-top:.4rem}
.note-edit{color:#9ecbff}
.note-form input{background:#111;color:inherit;border:1px solid #444a52;border-radius:.3rem;padding:.2rem .4rem;width:16rem;max-width:60vw}
footer{padding:1rem;color:#7d858e}
.toast{position:fixed;right:1rem;bottom:1rem;margin:0;background:#245d8f;padding:.3rem .8rem;border-radius:.3rem}.toast:empty{display:none}
@media (max-width:600px){
.take{width:100%}.take video,.placeholder,.facade{height:auto;aspect-ratio:16/9}
.decide button,.note-form button{min-height:2.75rem;padding:0 .9rem}.note-edit{padding:.8rem .2rem}.filters a{display:inline-block;padding:.5rem 0}
.note-form input{flex:1;min-width:0;width:auto;max-width:none;min-height:2.75rem}
}
`;
