import { Route, Router } from '@solidjs/router';
import { type Component, ErrorBoundary, type JSX, lazy } from 'solid-js';
import { render } from 'solid-js/web';
import { Layout } from './components/layout.tsx';
import { ErrorState } from './components/status.tsx';
import './styles.css';

const Directory = lazy(() => import('./routes/directory.tsx'));
const SignIn = lazy(() => import('./routes/sign-in.tsx'));
const SignUp = lazy(() => import('./routes/sign-up.tsx'));
const CommunityPage = lazy(() => import('./routes/community.tsx'));
const ThreadPage = lazy(() => import('./routes/thread.tsx'));
const LiveSessionPage = lazy(() => import('./routes/live-session.tsx'));
const BadgePage = lazy(() => import('./routes/badge.tsx'));
const Notifications = lazy(() => import('./routes/notifications.tsx'));

/** Wraps a route so that an unexpected error shows an error state instead of a blank page. */
function guarded(Page: Component): Component {
  return () => (
    <ErrorBoundary
      fallback={(error: unknown, reset: () => void) => (
        <ErrorState
          message={error instanceof Error ? error.message : 'This page failed to load.'}
          onRetry={reset}
        />
      )}
    >
      <Page />
    </ErrorBoundary>
  );
}

function NotFound(): JSX.Element {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        <a href="/">Back to the communities</a>
      </p>
    </section>
  );
}

const root = document.getElementById('root');
if (root) {
  render(
    () => (
      <Router root={Layout}>
        <Route path="/" component={guarded(Directory)} />
        <Route path="/sign-in" component={guarded(SignIn)} />
        <Route path="/sign-up" component={guarded(SignUp)} />
        <Route path="/c/:slug" component={guarded(CommunityPage)} />
        <Route path="/t/:id" component={guarded(ThreadPage)} />
        <Route path="/s/:id" component={guarded(LiveSessionPage)} />
        <Route path="/b/:id" component={guarded(BadgePage)} />
        <Route path="/notifications" component={guarded(Notifications)} />
        <Route path="*" component={NotFound} />
      </Router>
    ),
    root,
  );
}
