import { render } from 'preact';
import { App } from './App.tsx';
import { session } from './auth/session.ts';
import './styles.css';
import { background } from './util/background.ts';
import { roomSecrets } from './roomSecrets.ts';

// Room passwords out of localStorage (older versions kept them there), stale host keys gone.
roomSecrets.purge();

// A browser that signed in before gets its session back from the refresh cookie.
background(session.restore(), 'restoring the session');

const root = document.getElementById('app');
if (root) render(<App />, root);
