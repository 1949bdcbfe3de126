export { launcher, Launcher, type RunOptions, type RunResult, type StartOptions, type Started } from './launcher.js';
export { busyboxApplet } from './busybox-applet.js';
