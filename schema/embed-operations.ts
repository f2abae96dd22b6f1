import { createHash } from 'node:crypto';

/**
 * The only GraphQL documents that embedded widgets may run. A request made with an embed key
 * names one of them by its id (the SHA-256 of the document text, as in Apollo's automatic
 * persisted queries) and cannot send a document of its own. The server and the widget build
 * both read this module, so the ids always agree.
 */
export const EMBED_OPERATIONS = {
  WidgetViewer: /* GraphQL */ `
    query WidgetViewer {
      viewer {
        id
        displayName
      }
    }
  `,
  WidgetCommunityFeed: /* GraphQL */ `
    query WidgetCommunityFeed($slug: String!, $first: Int!) {
      community(slug: $slug) {
        id
        slug
        name
        visibility
        viewerCanRead
        eventCursor
        threads(first: $first) {
          nodes {
            id
            title
            kind
            pinned
            locked
            replyCount
            createdAt
            lastActivityAt
            author {
              id
              displayName
            }
            latestReply {
              id
              bodyHtml
              createdAt
              author {
                id
                displayName
              }
            }
          }
        }
      }
    }
  `,
  WidgetUpcomingSessions: /* GraphQL */ `
    query WidgetUpcomingSessions($slug: String!, $first: Int!) {
      community(slug: $slug) {
        id
        slug
        name
        visibility
        viewerCanRead
        eventCursor
        upcomingLiveSessions(first: $first) {
          nodes {
            id
            title
            startsAt
            endsAt
            timeZone
            status
            rsvpCount
            capacity
            waitlistCount
          }
        }
      }
    }
  `,
  WidgetCommunityActivity: /* GraphQL */ `
    subscription WidgetCommunityActivity($communityId: ID!, $after: String) {
      communityActivity(communityId: $communityId, after: $after) {
        eventId
        type
        thread {
          id
        }
        post {
          id
        }
        liveSession {
          id
        }
      }
    }
  `,
  WidgetLiveChat: /* GraphQL */ `
    query WidgetLiveChat($id: ID!, $last: Int!) {
      liveSession(id: $id) {
        id
        title
        status
        startsAt
        endsAt
        timeZone
        eventCursor
        chatMessageMaxLength
        viewerCanChat
        viewerIsMuted
        community {
          id
          slug
          name
        }
        chatMessages(last: $last) {
          nodes {
            id
            sequence
            body
            createdAt
            editedAt
            deletedAt
            author {
              id
              displayName
            }
          }
        }
      }
    }
  `,
  WidgetLiveChatEvents: /* GraphQL */ `
    subscription WidgetLiveChatEvents($id: ID!, $after: String) {
      liveSessionEvents(liveSessionId: $id, after: $after) {
        eventId
        type
        chatMessage {
          id
          sequence
          body
          createdAt
          editedAt
          deletedAt
          author {
            id
            displayName
          }
        }
        liveSession {
          id
          status
          viewerCanChat
          viewerIsMuted
        }
      }
    }
  `,
  WidgetSendChatMessage: /* GraphQL */ `
    mutation WidgetSendChatMessage($input: SendChatMessageInput!) {
      sendChatMessage(input: $input) {
        __typename
        ... on MutationSendChatMessageSuccess {
          data {
            id
            sequence
            body
            createdAt
            editedAt
            deletedAt
            author {
              id
              displayName
            }
          }
        }
        ... on Error {
          message
        }
        ... on ValidationError {
          issues {
            message
            path
          }
        }
      }
    }
  `,
  WidgetCommunityBadges: /* GraphQL */ `
    query WidgetCommunityBadges($slug: String!, $first: Int!) {
      community(slug: $slug) {
        id
        slug
        name
        visibility
        viewerCanRead
        badges(first: $first) {
          nodes {
            id
            name
            description
            kind
            imageUrl
            holderCount
          }
        }
      }
    }
  `,
  WidgetPersonBadges: /* GraphQL */ `
    query WidgetPersonBadges($id: ID!, $first: Int!) {
      node(id: $id) {
        ... on User {
          id
          displayName
          badgeAwards(first: $first) {
            nodes {
              id
              awardedAt
              expiresAt
              badge {
                id
                name
                kind
                imageUrl
                community {
                  slug
                  name
                }
                district {
                  name
                }
              }
            }
          }
        }
      }
    }
  `,
  WidgetCommunityCard: /* GraphQL */ `
    query WidgetCommunityCard($slug: String!) {
      community(slug: $slug) {
        id
        slug
        name
        description
        descriptionHtml
        focus
        visibility
        memberCount
        threadCount
        viewerCanJoin
        viewerCanRead
        eventCursor
        district {
          name
        }
      }
    }
  `,
} as const;

export type EmbedOperationName = keyof typeof EMBED_OPERATIONS;

/** Computes an operation's persisted id: the SHA-256 of its document text, in lowercase hex. */
export function embedOperationId(document: string): string {
  return createHash('sha256').update(document, 'utf8').digest('hex');
}

/** Maps each operation name to its persisted id. */
export function embedOperationIds(): Record<EmbedOperationName, string> {
  return Object.fromEntries(
    Object.entries(EMBED_OPERATIONS).map(([name, document]) => [name, embedOperationId(document)]),
  ) as Record<EmbedOperationName, string>;
}
