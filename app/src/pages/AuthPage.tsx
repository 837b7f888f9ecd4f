import { useEffect, useState } from 'preact/hooks';
import { LIMITS } from '@parley/protocol';
import { navigate } from '../router.ts';
import { session } from '../auth/session.ts';
import { useSession } from '../auth/useSession.ts';
import { safeNext, ssoFailureMessage } from '../auth/authState.ts';
import type { AuthFailure } from '../auth/authState.ts';
import { background } from '../util/background.ts';
import { SsoSignIn } from './SsoSignIn.tsx';
import { EmailField, PasswordField } from '../ui/AccountFields.tsx';

interface Props {
  mode: 'signin' | 'signup';
}

/**
 * `/signin` and `/signup` (a lazy chunk). `?next=/r/<id>` returns there afterwards. Single
 * sign-on comes back here: `?sso=ok` (the refresh cookie is set: finish the session, go on to
 * `next`) or `?sso_error=<code>` (say why not).
 */
export function AuthPage({ mode }: Props) {
  const { current } = useSession();
  const query = new URLSearchParams(location.search);
  const next = safeNext(query.get('next'));
  const ssoError = query.get('sso_error');
  const finishing = useSsoLanding(query.get('sso') === 'ok', next);
  const signup = mode === 'signup';
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<AuthFailure | null>(null);
  const wait = useCountdown(failure);

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    if (busy || wait > 0) return;
    setBusy(true);
    setFailure(null);
    const result = signup
      ? await session.signUp(name.trim(), email.trim(), password)
      : await session.signIn(email.trim(), password);
    setBusy(false);
    if (result.ok) navigate(next);
    else setFailure(result.failure);
  };

  const other = signup ? '/signin' : '/signup';
  const otherHref = next === '/' ? other : `${other}?next=${encodeURIComponent(next)}`;
  const message =
    failure?.retryAfterS !== undefined
      ? wait > 0
        ? `Too many attempts. Wait ${wait} s before trying again.`
        : 'You can try again now.'
      : failure?.message;
  const ssoMessage = finishing.failure ?? (ssoError ? ssoFailureMessage(ssoError) : undefined);

  return (
    <main class="page home auth">
      <a href="/" class="brand" onClick={link('/')}>
        Parley
      </a>
      <h1>{signup ? 'Create an account' : 'Sign in'}</h1>
      {current && (
        <p role="status">
          Signed in as {current.user.name}.{' '}
          <a href={next} onClick={link(next)}>
            Continue
          </a>
        </p>
      )}
      {finishing.busy && <p role="status">Signing you in…</p>}
      {ssoMessage && (
        <p class="error" role="alert">
          {ssoMessage}
        </p>
      )}
      {!finishing.busy && <SsoSignIn next={next} />}
      <form class="auth-form" onSubmit={onSubmit} hidden={finishing.busy}>
        {signup && (
          <div class="field">
            <label for="auth-name">Your name</label>
            <input
              id="auth-name"
              type="text"
              autoComplete="name"
              required
              maxLength={LIMITS.NAME_MAX}
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
            />
          </div>
        )}
        <EmailField id="auth-email" value={email} onValue={setEmail} />
        <PasswordField id="auth-password" value={password} onValue={setPassword} isNew={signup}>
          {!signup && (
            <p class="hint">
              <a href="/forgot-password" onClick={link('/forgot-password')}>
                Forgot password?
              </a>
            </p>
          )}
        </PasswordField>
        {message && (
          <p class="error" role="alert">
            {message}
          </p>
        )}
        <button type="submit" class="primary big" disabled={busy || wait > 0}>
          {busy ? 'One moment…' : signup ? 'Create account' : 'Sign in'}
        </button>
      </form>
      <p class="muted">
        {signup ? 'Already have an account? ' : 'No account yet? '}
        <a href={otherHref} onClick={link(otherHref)}>
          {signup ? 'Sign in' : 'Create one'}
        </a>
        . Guests can join any room with just a name.
      </p>
    </main>
  );
}

/**
 * Back from single sign-on signed in: the refresh cookie is set, so one refresh gives this
 * tab its session (as a reload would), and the visitor goes on to `next` (replacing this
 * page in the history). `failure` when the session could not be started after all.
 */
function useSsoLanding(landed: boolean, next: string): { busy: boolean; failure?: string } {
  const [state, setState] = useState<{ busy: boolean; failure?: string }>({ busy: landed });
  useEffect(() => {
    if (!landed) return;
    background(
      session.refresh().then((started) => {
        if (started) return navigate(next, { replace: true });
        const failure = 'Single sign-on worked, but your session could not start. Try again.';
        setState({ busy: false, failure });
      }),
      'single sign-on session',
    );
  }, [landed, next]);
  return state;
}

/** Seconds left of a rate limit's wait, ticking down to 0. */
function useCountdown(failure: AuthFailure | null): number {
  const [left, setLeft] = useState(0);
  useEffect(() => {
    const seconds = failure?.retryAfterS;
    if (seconds === undefined) return setLeft(0);
    const until = Date.now() + seconds * 1000;
    const tick = () => setLeft(Math.max(0, Math.ceil((until - Date.now()) / 1000)));
    tick();
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [failure]);
  return left;
}

function link(path: string) {
  return (e: Event) => {
    e.preventDefault();
    navigate(path);
  };
}
