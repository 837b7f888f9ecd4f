import { render } from 'preact';
import { App } from './App.tsx';
import { session } from './auth/session.ts';
import './styles.css';

// A browser that signed in before gets its session back from the refresh cookie.
void session.restore();

const root = document.getElementById('app');
if (root) render(<App />, root);
