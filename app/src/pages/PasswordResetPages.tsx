import { useEffect, useState } from 'preact/hooks';
import { navigate } from '../router.ts';
import { session } from '../auth/session.ts';
import { MAIL_OFF, completeReset, mailAvailable, requestReset } from '../auth/passwordReset.ts';
import { background } from '../util/background.ts';
import { usePageTitle } from '../ui/usePageTitle.ts';
import { EmailField, PasswordField } from '../ui/AccountFields.tsx';

/** Whether the server can send mail: null while asking (or when it could not say). */
function useMailAvailable(): boolean | null {
  const [available, setAvailable] = useState<boolean | null>(null);
  useEffect(() => {
    let live = true;
    background(
      mailAvailable().then((a) => live && setAvailable(a)),
      'mail availability',
    );
    return () => {
      live = false;
    };
  }, []);
  return available;
}

/**
 * `/forgot-password` (issue 21): an email, and the same answer whether or not it has an
 * account. Where the server has no mail, the page says so instead of offering the form.
 */
export function ForgotPasswordPage() {
  usePageTitle('Forgot password · Parley');
  const available = useMailAvailable();
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [error, setError] = useState<{ message: string; mailOff?: boolean } | null>(null);

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const outcome = await requestReset(email.trim());
    setBusy(false);
    if (outcome.ok) setSentTo(email.trim());
    else setError(outcome);
  };
  const mailOff = available === false || error?.mailOff === true;

  return (
    <main class="page home auth">
      <a href="/" class="brand" onClick={link('/')}>
        Parley
      </a>
      <h1>Forgot your password?</h1>
      {mailOff && (
        <p class="error" role="alert">
          {MAIL_OFF}
        </p>
      )}
      {sentTo && (
        <p role="status">
          If {sentTo} has an account, we sent it a link to choose a new password. It works for 30
          minutes. Check your spam folder if it does not arrive.
        </p>
      )}
      {!mailOff && !sentTo && (
        <form class="auth-form" onSubmit={onSubmit}>
          <p class="muted">We will email you a link to choose a new password.</p>
          <EmailField id="reset-email" value={email} onValue={setEmail} />
          {error && (
            <p class="error" role="alert">
              {error.message}
            </p>
          )}
          <button type="submit" class="primary big" disabled={busy}>
            {busy ? 'One moment…' : 'Send the link'}
          </button>
        </form>
      )}
      <p class="muted">
        Remembered it?{' '}
        <a href="/signin" onClick={link('/signin')}>
          Sign in
        </a>
      </p>
    </main>
  );
}

/**
 * `/reset-password#<token>` (the mailed link; the token stays in the fragment, which is never
 * sent to a server): a new password, with the sign-up rules. Done, the browser is signed in
 * (the server set the refresh cookie) and every other session has ended.
 */
export function ResetPasswordPage() {
  usePageTitle('Choose a new password · Parley');
  const [token] = useState(() => location.hash.slice(1));
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; linkDead?: boolean } | null>(null);

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const outcome = await completeReset(token, password);
    if (!outcome.ok) {
      setBusy(false);
      setError(outcome);
      return;
    }
    const started = await session.refresh();
    navigate(started ? '/' : '/signin', { replace: true });
  };

  return (
    <main class="page home auth">
      <a href="/" class="brand" onClick={link('/')}>
        Parley
      </a>
      <h1>Choose a new password</h1>
      {!token ? (
        <p class="error" role="alert">
          This page needs the link from the reset mail.{' '}
          <a href="/forgot-password" onClick={link('/forgot-password')}>
            Ask for a new one
          </a>
          .
        </p>
      ) : (
        <form class="auth-form" onSubmit={onSubmit}>
          <p class="muted">Choosing a new password signs you out on every other device.</p>
          <PasswordField
            id="reset-password"
            label="New password"
            value={password}
            onValue={setPassword}
            isNew
          />
          {error && (
            <p class="error" role="alert">
              {error.message}{' '}
              {error.linkDead && (
                <a href="/forgot-password" onClick={link('/forgot-password')}>
                  Ask for a new link
                </a>
              )}
            </p>
          )}
          <button type="submit" class="primary big" disabled={busy}>
            {busy ? 'One moment…' : 'Set the new password'}
          </button>
        </form>
      )}
    </main>
  );
}

function link(path: string) {
  return (e: Event) => {
    e.preventDefault();
    navigate(path);
  };
}
