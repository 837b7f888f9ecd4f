import { render } from 'preact';
import { App } from './App.tsx';
import { session } from './auth/session.ts';
import './styles.css';
import { background } from './util/background.ts';

// A browser that signed in before gets its session back from the refresh cookie.
background(session.restore(), 'restoring the session');

const root = document.getElementById('app');
if (root) render(<App />, root);
