/** CSS imported with `?inline` is its text, for the widgets' shadow roots. */
declare module '*.css?inline' {
  const css: string;
  export default css;
}

/**
 * The persisted ids of schema/embed-operations.ts, computed by the widget build, so that the
 * widgets carry ids and never the documents. Each export is the SHA-256 of one document.
 */
declare module 'virtual:embed-operation-ids' {
  export const WidgetViewer: string;
  export const WidgetCommunityFeed: string;
  export const WidgetUpcomingSessions: string;
  export const WidgetCommunityActivity: string;
  export const WidgetLiveChat: string;
  export const WidgetLiveChatEvents: string;
  export const WidgetSendChatMessage: string;
  export const WidgetCommunityBadges: string;
  export const WidgetPersonBadges: string;
  export const WidgetCommunityCard: string;
}
