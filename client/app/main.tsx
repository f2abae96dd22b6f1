import { A, Route, Router } from '@solidjs/router';
import { type Component, ErrorBoundary, type JSX, lazy } from 'solid-js';
import { render } from 'solid-js/web';
import { Layout } from './components/layout.tsx';
import { ErrorState, errorMessage } from './components/status.tsx';
import { createDocumentTitle } from './lib/title.ts';
import './styles.css';

const Directory = lazy(() => import('./routes/directory.tsx'));
const SignIn = lazy(() => import('./routes/sign-in.tsx'));
const SignUp = lazy(() => import('./routes/sign-up.tsx'));
const CommunityPage = lazy(() => import('./routes/community.tsx'));
const ThreadPage = lazy(() => import('./routes/thread.tsx'));
const LiveSessionPage = lazy(() => import('./routes/live-session.tsx'));
const LiveSessions = lazy(() => import('./routes/live-sessions.tsx'));
const AttendancePage = lazy(() => import('./routes/attendance.tsx'));
const BadgePage = lazy(() => import('./routes/badge.tsx'));
const Notifications = lazy(() => import('./routes/notifications.tsx'));
const ReviewsPage = lazy(() => import('./routes/reviews.tsx'));
const CommunityManagePage = lazy(() => import('./routes/community-manage.tsx'));
const InvitationPage = lazy(() => import('./routes/invitation.tsx'));
const Settings = lazy(() => import('./routes/settings.tsx'));
const VerifyEmail = lazy(() => import('./routes/verify-email.tsx'));
const ResetPassword = lazy(() => import('./routes/reset-password.tsx'));
const DistrictAdminPage = lazy(() => import('./routes/district-admin.tsx'));
const VerifyPage = lazy(() => import('./routes/verify.tsx'));
const ProfilePage = lazy(() => import('./routes/profile.tsx'));
const CommunityBadgesPage = lazy(() => import('./routes/community-badges.tsx'));
const CommunityEmbedPage = lazy(() => import('./routes/community-embed.tsx'));
const DistrictEmbedPage = lazy(() => import('./routes/district-embed.tsx'));
const EmbedSignInPage = lazy(() => import('./routes/embed-sign-in.tsx'));
const CommunityAnalyticsPage = lazy(() => import('./routes/community-analytics.tsx'));
const DistrictAnalyticsPage = lazy(() => import('./routes/district-analytics.tsx'));
const SearchPage = lazy(() => import('./routes/search.tsx'));

/** Wraps a route so that an unexpected error shows an error state instead of a blank page. */
function guarded(Page: Component): Component {
  return () => (
    <ErrorBoundary
      fallback={(error: unknown, reset: () => void) => (
        <ErrorState message={errorMessage(error)} onRetry={reset} />
      )}
    >
      <Page />
    </ErrorBoundary>
  );
}

function NotFound(): JSX.Element {
  createDocumentTitle(() => 'Page not found');
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        <A href="/">Back to the communities</A>
      </p>
    </section>
  );
}

const root = document.getElementById('root');
if (root) {
  render(
    () => (
      // Only <A> links navigate inside the app. Plain anchors keep the browser's behaviour, so the
      // skip link moves focus to the main content and links inside posts load normally.
      <Router root={Layout} explicitLinks>
        <Route path="/" component={guarded(Directory)} />
        <Route path="/sign-in" component={guarded(SignIn)} />
        <Route path="/sign-up" component={guarded(SignUp)} />
        <Route path="/c/:slug" component={guarded(CommunityPage)} />
        <Route path="/c/:slug/manage" component={guarded(CommunityManagePage)} />
        <Route path="/c/:slug/badges" component={guarded(CommunityBadgesPage)} />
        <Route path="/c/:slug/embed" component={guarded(CommunityEmbedPage)} />
        <Route path="/c/:slug/analytics" component={guarded(CommunityAnalyticsPage)} />
        <Route path="/invitations/:token" component={guarded(InvitationPage)} />
        <Route path="/settings" component={guarded(Settings)} />
        <Route path="/verify-email" component={guarded(VerifyEmail)} />
        <Route path="/reset-password" component={guarded(ResetPassword)} />
        <Route path="/districts/:slug/admin" component={guarded(DistrictAdminPage)} />
        <Route path="/districts/:slug/embed" component={guarded(DistrictEmbedPage)} />
        <Route path="/districts/:slug/analytics" component={guarded(DistrictAnalyticsPage)} />
        <Route path="/embed/sign-in" component={guarded(EmbedSignInPage)} />
        <Route path="/t/:id" component={guarded(ThreadPage)} />
        <Route path="/live-sessions" component={guarded(LiveSessions)} />
        <Route path="/s/:id" component={guarded(LiveSessionPage)} />
        <Route path="/s/:id/attendance" component={guarded(AttendancePage)} />
        <Route path="/b/:id" component={guarded(BadgePage)} />
        <Route path="/notifications" component={guarded(Notifications)} />
        <Route path="/search" component={guarded(SearchPage)} />
        <Route path="/reviews/:id?" component={guarded(ReviewsPage)} />
        <Route path="/verify" component={guarded(VerifyPage)} />
        <Route path="/u/:id" component={guarded(ProfilePage)} />
        <Route path="*" component={NotFound} />
      </Router>
    ),
    root,
  );
}
