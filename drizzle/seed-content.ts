// Demo content in our own words: fictional districts, schools and educators.

export const DEMO_DISTRICTS = [
  {
    slug: 'riverbend-usd',
    name: 'Riverbend Unified School District',
    domain: 'riverbend.example.org',
    schools: ['Riverbend Elementary', 'Willow Creek Middle School', 'Riverbend High School'],
  },
  {
    slug: 'cedar-plains-isd',
    name: 'Cedar Plains ISD',
    domain: 'cedarplains.example.org',
    schools: ['Prairie View Elementary', 'Cedar Plains Middle School'],
  },
  {
    slug: 'north-harbor-ps',
    name: 'North Harbor Public Schools',
    domain: 'northharbor.example.org',
    schools: ['Harborside Elementary', 'Lighthouse Academy', 'North Harbor High School'],
  },
] as const;

/** district and school are indexes into DEMO_DISTRICTS and its schools. */
export const DEMO_PEOPLE = [
  {
    key: 'demo',
    email: 'demo@staffroom.example.org',
    name: 'Demo Educator',
    district: 0,
    school: 0,
    bio: 'Fourth-grade teacher trying out Staffroom.',
  },
  {
    key: 'facilitator',
    email: 'facilitator@staffroom.example.org',
    name: 'Jordan Ellis',
    district: 0,
    school: 2,
    bio: 'Instructional technology coach; I run the makerspace network.',
  },
  {
    key: 'maya',
    email: 'maya.chen@riverbend.example.org',
    name: 'Maya Chen',
    district: 0,
    school: 1,
    bio: 'Seventh-grade science, phenomena-based units.',
  },
  {
    key: 'luis',
    email: 'luis.ortega@riverbend.example.org',
    name: 'Luis Ortega',
    district: 0,
    school: 2,
    bio: 'Principal at Riverbend High.',
  },
  {
    key: 'amara',
    email: 'amara.okafor@cedarplains.example.org',
    name: 'Amara Okafor',
    district: 1,
    school: 0,
    bio: 'K-2 reading specialist.',
  },
  {
    key: 'tom',
    email: 'tom.bergstrom@cedarplains.example.org',
    name: 'Tom Bergström',
    district: 1,
    school: 1,
    bio: 'Eighth-grade math and robotics club.',
  },
  {
    key: 'priya',
    email: 'priya.raman@cedarplains.example.org',
    name: 'Priya Raman',
    district: 1,
    school: 1,
    bio: 'Literacy coach for grades 6-8.',
  },
  {
    key: 'grace',
    email: 'grace.kim@northharbor.example.org',
    name: 'Grace Kim',
    district: 2,
    school: 0,
    bio: 'First-grade teacher and school safety team member.',
  },
  {
    key: 'samuel',
    email: 'samuel.adeyemi@northharbor.example.org',
    name: 'Samuel Adeyemi',
    district: 2,
    school: 2,
    bio: 'Assistant principal; emergency operations lead.',
  },
  {
    key: 'elena',
    email: 'elena.popescu@northharbor.example.org',
    name: 'Elena Popescu',
    district: 2,
    school: 1,
    bio: 'Special education teacher.',
  },
  {
    key: 'dev',
    email: 'dev.patel@riverbend.example.org',
    name: 'Dev Patel',
    district: 0,
    school: 0,
    bio: 'Counselor, crisis response team.',
  },
  {
    key: 'hannah',
    email: 'hannah.weiss@northharbor.example.org',
    name: 'Hannah Weiss',
    district: 2,
    school: 2,
    bio: 'Physics and engineering design.',
  },
  {
    key: 'marcus',
    email: 'marcus.bell@cedarplains.example.org',
    name: 'Marcus Bell',
    district: 1,
    school: 0,
    bio: 'Second-grade teacher, new to the profession.',
  },
  {
    key: 'sofia',
    email: 'sofia.reyes@riverbend.example.org',
    name: 'Sofía Reyes',
    district: 0,
    school: 1,
    bio: 'English language development teacher.',
  },
  {
    key: 'noah',
    email: 'noah.lindqvist@northharbor.example.org',
    name: 'Noah Lindqvist',
    district: 2,
    school: 0,
    bio: 'Library media specialist.',
  },
] as const;

export type PersonKey = (typeof DEMO_PEOPLE)[number]['key'];

type Role = 'owner' | 'facilitator' | 'member';

export interface DemoReply {
  by: PersonKey;
  body: string;
  replies?: { by: PersonKey; body: string }[];
  reactions?: { by: PersonKey; kind: 'like' | 'thanks' | 'insightful' | 'celebrate' }[];
  accepted?: boolean;
}

export interface DemoThread {
  by: PersonKey;
  kind: 'discussion' | 'question' | 'announcement';
  title: string;
  body: string;
  pinned?: boolean;
  replies: DemoReply[];
}

export interface DemoCommunity {
  slug: string;
  name: string;
  description: string;
  focus: 'stem' | 'literacy' | 'crisis_preparedness' | 'leadership' | 'other';
  visibility: 'public' | 'district' | 'private';
  district?: number;
  members: [PersonKey, Role][];
  threads: DemoThread[];
}

export const DEMO_COMMUNITIES: DemoCommunity[] = [
  {
    slug: 'elementary-makerspace-network',
    name: 'Elementary Makerspace Network',
    description:
      'Teachers building **hands-on STEM** in K-5: makerspace routines, low-cost materials, and design challenges that fit a 45-minute block.',
    focus: 'stem',
    visibility: 'public',
    members: [
      ['facilitator', 'owner'],
      ['maya', 'facilitator'],
      ['demo', 'member'],
      ['tom', 'member'],
      ['hannah', 'member'],
      ['marcus', 'member'],
      ['grace', 'member'],
      ['noah', 'member'],
    ],
    threads: [
      {
        by: 'facilitator',
        kind: 'announcement',
        pinned: true,
        title: 'Welcome! Start here',
        body: 'Welcome to the network. A few norms:\n\n- Share what **failed** as well as what worked\n- Photos of student work need consent forms\n- Tag your grade band in the title, e.g. `[K-2]`\n\nOur monthly office hours are listed under Live sessions.',
        replies: [],
      },
      {
        by: 'demo',
        kind: 'question',
        title: '[3-5] Cardboard automata with 28 kids and one glue gun?',
        body: 'I want to run the cardboard automata challenge next month. How do you manage **hot glue** with a full class? Do you pre-cut the cams?',
        replies: [
          {
            by: 'maya',
            body: 'We use two low-temp glue stations with a sign-up sheet and a parent volunteer. Pre-cut cams save a whole class period.',
            accepted: true,
            reactions: [
              { by: 'demo', kind: 'thanks' },
              { by: 'tom', kind: 'insightful' },
            ],
            replies: [{ by: 'demo', body: 'Low-temp stations are a great idea, thank you!' }],
          },
          {
            by: 'tom',
            body: 'Brass fasteners instead of glue for the moving parts worked for my 5th graders. Fewer burns, easier to fix.',
            reactions: [{ by: 'grace', kind: 'like' }],
          },
          {
            by: 'noah',
            body: 'The library has a cardboard cutter set you can borrow, just email me.',
          },
        ],
      },
      {
        by: 'hannah',
        kind: 'discussion',
        title: 'Design journals: paper or digital?',
        body: 'Our team is debating whether engineering design journals should move to slides. Paper feels better for sketching, digital is easier to grade. What do you do?',
        replies: [
          {
            by: 'facilitator',
            body: 'Paper for sketching, then a photo of the page into the digital portfolio at the end of each phase. Best of both.',
            reactions: [
              { by: 'hannah', kind: 'insightful' },
              { by: 'maya', kind: 'like' },
            ],
            replies: [{ by: 'hannah', body: 'Trying this next week with the bridge unit.' }],
          },
          {
            by: 'marcus',
            body: 'My second graders still need paper. Typing slows their thinking down too much.',
          },
        ],
      },
      {
        by: 'maya',
        kind: 'discussion',
        title: 'Phenomena that hooked your class this year',
        body: 'Share one phenomenon that got your students asking questions. Mine: **why does the classroom window fog up only in the morning?**',
        replies: [
          {
            by: 'grace',
            body: 'A pumpkin left on the windowsill for three weeks. The decomposition questions never stopped.',
            reactions: [{ by: 'maya', kind: 'celebrate' }],
          },
          {
            by: 'tom',
            body: 'Why the school flag snaps louder on some days. Led straight into wind speed data.',
          },
        ],
      },
    ],
  },
  {
    slug: 'science-of-reading-circle',
    name: 'Science of Reading Circle',
    description:
      'A cross-district circle for K-8 educators putting structured literacy into practice: phonemic awareness, decodable texts and knowledge-building.',
    focus: 'literacy',
    visibility: 'public',
    members: [
      ['amara', 'owner'],
      ['priya', 'facilitator'],
      ['demo', 'member'],
      ['sofia', 'member'],
      ['marcus', 'member'],
      ['elena', 'member'],
      ['noah', 'member'],
    ],
    threads: [
      {
        by: 'amara',
        kind: 'announcement',
        pinned: true,
        title: 'Book study: chapters 3-4 this month',
        body: 'This month we read chapters 3 and 4 together. Bring **one routine** you will try before our next live session.',
        replies: [],
      },
      {
        by: 'marcus',
        kind: 'question',
        title: 'Decodable texts that do not bore second graders?',
        body: 'My decodables are technically right and deadly dull. Any series with real stories?',
        replies: [
          {
            by: 'amara',
            body: 'Look for series with recurring characters; kids read to find out what happens next. I can share our leveled list.',
            accepted: true,
            reactions: [{ by: 'marcus', kind: 'thanks' }],
          },
          {
            by: 'noah',
            body: 'The library just added two new sets. Come browse on Thursday.',
            replies: [{ by: 'marcus', body: 'See you Thursday!' }],
          },
        ],
      },
      {
        by: 'sofia',
        kind: 'discussion',
        title: 'Structured literacy for multilingual learners',
        body: 'How are you adapting phonics routines for students whose home language has a different sound inventory? I contrast sounds explicitly, but I would love more ideas.',
        replies: [
          {
            by: 'priya',
            body: 'Mouth-position pictures and mirrors helped my newcomers with sounds that do not exist in Spanish or Arabic.',
            reactions: [
              { by: 'sofia', kind: 'insightful' },
              { by: 'elena', kind: 'like' },
            ],
          },
          {
            by: 'elena',
            body: 'Same routines work for my students with speech IEPs. I pair them with gestures.',
          },
          { by: 'demo', body: 'Following this one. Many of my fourth graders are newcomers.' },
        ],
      },
    ],
  },
  {
    slug: 'school-safety-crisis-preparedness',
    name: 'School Safety & Crisis Preparedness',
    description:
      'Administrators, counselors and teachers sharing drills, reunification plans and trauma-informed recovery practices.',
    focus: 'crisis_preparedness',
    visibility: 'public',
    members: [
      ['samuel', 'owner'],
      ['dev', 'facilitator'],
      ['grace', 'member'],
      ['luis', 'member'],
      ['facilitator', 'member'],
      ['demo', 'member'],
      ['elena', 'member'],
    ],
    threads: [
      {
        by: 'samuel',
        kind: 'discussion',
        title: 'Reunification drills: what did your last one teach you?',
        body: 'We ran our first full reunification drill with volunteer parents. Biggest lesson: the **sign-out table** was the bottleneck. What surprised you?',
        replies: [
          {
            by: 'luis',
            body: 'Radios died after ninety minutes. We now keep a charged spare set in the go-bin.',
            reactions: [{ by: 'samuel', kind: 'insightful' }],
          },
          {
            by: 'grace',
            body: 'The little ones needed a calm activity while waiting. We pack coloring sheets now.',
            replies: [{ by: 'dev', body: 'Great point: predictable, quiet tasks lower anxiety.' }],
          },
        ],
      },
      {
        by: 'dev',
        kind: 'question',
        title: 'Talking with students after a community tragedy',
        body: 'What language do you use in the first homeroom after a tragedy in the community? Looking for scripts that are honest without being graphic.',
        replies: [
          {
            by: 'elena',
            body: 'We keep it short: what happened in plain words, what adults are doing, where to find help. Then we let them ask.',
            accepted: true,
            reactions: [{ by: 'dev', kind: 'thanks' }],
          },
          {
            by: 'demo',
            body: 'Our counselor gave us a one-page script last year. It helped me stay steady.',
          },
        ],
      },
    ],
  },
  {
    slug: 'riverbend-instructional-coaches',
    name: 'Riverbend Instructional Coaches',
    description:
      'District community for Riverbend coaches and school leaders: coaching cycles, walkthrough data and PD planning.',
    focus: 'leadership',
    visibility: 'district',
    district: 0,
    members: [
      ['luis', 'owner'],
      ['facilitator', 'facilitator'],
      ['maya', 'member'],
      ['demo', 'member'],
    ],
    threads: [
      {
        by: 'luis',
        kind: 'discussion',
        title: 'Spring walkthrough focus',
        body: 'Proposal: this spring our walkthroughs look only at **student discourse**. Objections or refinements?',
        replies: [
          {
            by: 'facilitator',
            body: 'Agreed. Let us share the look-fors with teachers before the first visit.',
          },
          { by: 'maya', body: 'Could we include a short student survey too?' },
        ],
      },
    ],
  },
  {
    slug: 'new-teacher-support-circle',
    name: 'New Teacher Support Circle',
    description:
      'A private space for first- and second-year teachers to ask anything, with mentors who listen.',
    focus: 'other',
    visibility: 'private',
    members: [
      ['priya', 'owner'],
      ['marcus', 'member'],
      ['demo', 'member'],
    ],
    threads: [
      {
        by: 'marcus',
        kind: 'discussion',
        title: 'Parent conferences next week and I am nervous',
        body: 'First conferences ever. How do you start a conversation about a student who is struggling?',
        replies: [
          {
            by: 'priya',
            body: 'Start with one true, specific strength of the child. Parents relax when they hear you know their kid.',
            reactions: [{ by: 'marcus', kind: 'thanks' }],
          },
          {
            by: 'demo',
            body: 'Bring a work sample. It keeps the talk on the learning, not on the child.',
          },
        ],
      },
    ],
  },
];

export interface DemoLiveSession {
  community: string;
  host: PersonKey;
  title: string;
  description: string;
  /** Hours from now; negative is in the past. */
  startsInHours: number;
  durationMinutes: number;
  timeZone: string;
  status: 'scheduled' | 'live' | 'ended' | 'cancelled';
  rsvps: PersonKey[];
  chat: [PersonKey, string][];
}

export const DEMO_LIVE_SESSIONS: DemoLiveSession[] = [
  {
    community: 'elementary-makerspace-network',
    host: 'facilitator',
    title: 'Makerspace office hours',
    description: 'Bring a project that is stuck. We troubleshoot together.',
    startsInHours: -1,
    durationMinutes: 120,
    timeZone: 'America/Chicago',
    status: 'live',
    rsvps: ['demo', 'maya', 'tom'],
    chat: [
      ['facilitator', 'Welcome in! Drop your question in the chat.'],
      ['demo', 'Hi all, automata question coming up.'],
      ['maya', 'Glad to be here.'],
    ],
  },
  {
    community: 'elementary-makerspace-network',
    host: 'maya',
    title: 'Design-thinking workshop: the 45-minute challenge',
    description: 'A full design cycle you can run in one class period, modelled live.',
    startsInHours: 24 * 6,
    durationMinutes: 90,
    timeZone: 'America/Los_Angeles',
    status: 'scheduled',
    rsvps: ['demo', 'hannah', 'grace', 'marcus'],
    chat: [],
  },
  {
    community: 'elementary-makerspace-network',
    host: 'facilitator',
    title: 'Circuits on a shoestring',
    description: 'Copper tape, coin cells and LEDs for under a dollar a student.',
    startsInHours: -24 * 10,
    durationMinutes: 60,
    timeZone: 'America/Chicago',
    status: 'ended',
    rsvps: ['tom', 'noah'],
    chat: [
      ['tom', 'The paper-circuit templates are gold.'],
      ['noah', 'Recording posted in the library channel.'],
    ],
  },
  {
    community: 'science-of-reading-circle',
    host: 'amara',
    title: 'Book study live: chapters 3-4',
    description: "Discussion of this month's chapters and one routine each.",
    startsInHours: 24 * 3 + 5,
    durationMinutes: 60,
    timeZone: 'America/New_York',
    status: 'scheduled',
    rsvps: ['demo', 'sofia', 'priya', 'marcus'],
    chat: [],
  },
  {
    community: 'science-of-reading-circle',
    host: 'priya',
    title: 'Pop-up PD: morphology in middle school',
    description: 'Twenty minutes on prefixes, roots and suffixes across content areas.',
    startsInHours: -24 * 5,
    durationMinutes: 30,
    timeZone: 'America/Chicago',
    status: 'ended',
    rsvps: ['sofia', 'elena'],
    chat: [
      ['priya', 'Slides are in the thread.'],
      ['sofia', 'The word-matrix activity was perfect for my newcomers.'],
    ],
  },
  {
    community: 'school-safety-crisis-preparedness',
    host: 'samuel',
    title: 'Reunification tabletop exercise',
    description: 'A guided tabletop walk-through of a reunification plan, with roles.',
    startsInHours: 24 * 12,
    durationMinutes: 120,
    timeZone: 'America/New_York',
    status: 'scheduled',
    rsvps: ['luis', 'dev', 'grace', 'demo'],
    chat: [],
  },
  {
    community: 'school-safety-crisis-preparedness',
    host: 'dev',
    title: 'Psychological first aid basics',
    description: 'Cancelled for the snow day; it will be rescheduled.',
    startsInHours: -24 * 2,
    durationMinutes: 60,
    timeZone: 'America/Chicago',
    status: 'cancelled',
    rsvps: [],
    chat: [],
  },
];

export interface DemoBadge {
  community: string;
  name: string;
  description: string;
  criteria: string;
  isteStandards: (
    | 'learner'
    | 'leader'
    | 'citizen'
    | 'collaborator'
    | 'designer'
    | 'facilitator'
    | 'analyst'
  )[];
  awardedTo: PersonKey[];
  awardedBy: PersonKey;
}

export const DEMO_BADGES: DemoBadge[] = [
  {
    community: 'elementary-makerspace-network',
    name: 'Design Challenge Architect',
    description: 'Designed and ran a complete engineering design challenge with students.',
    criteria:
      '- Share the challenge brief and constraints\n- Post two photos of student prototypes (with consent)\n- Reflect on one change you would make',
    isteStandards: ['designer', 'facilitator'],
    awardedTo: ['maya', 'demo'],
    awardedBy: 'facilitator',
  },
  {
    community: 'elementary-makerspace-network',
    name: 'Open Sharer',
    description: 'Shared lessons and materials that colleagues reused.',
    criteria: 'Share three resources that at least two other members report using.',
    isteStandards: ['collaborator', 'learner'],
    awardedTo: ['tom'],
    awardedBy: 'facilitator',
  },
  {
    community: 'science-of-reading-circle',
    name: 'Data-Informed Reading Instruction',
    description:
      'Used screening and progress-monitoring data to adjust small-group reading instruction.',
    criteria:
      'Post a de-identified before-and-after summary of a six-week intervention cycle and what you changed.',
    isteStandards: ['analyst'],
    awardedTo: ['amara'],
    awardedBy: 'priya',
  },
  {
    community: 'science-of-reading-circle',
    name: 'Book Study Finisher',
    description: 'Completed the book study and tried a routine in class.',
    criteria: 'Attend three book-study sessions and post a reflection on one routine.',
    isteStandards: ['learner'],
    awardedTo: ['sofia', 'demo'],
    awardedBy: 'amara',
  },
  {
    community: 'school-safety-crisis-preparedness',
    name: 'Digital Safety Champion',
    description: 'Taught students to stay safe and kind online and shared the lesson.',
    criteria:
      'Teach a lesson on online safety or digital footprints and share the plan and student reflections.',
    isteStandards: ['citizen'],
    awardedTo: ['grace'],
    awardedBy: 'samuel',
  },
  {
    community: 'school-safety-crisis-preparedness',
    name: 'Preparedness Leader',
    description: 'Led a drill or tabletop exercise and shared the after-action review.',
    criteria: 'Plan and lead a drill, then post an after-action review with three improvements.',
    isteStandards: ['leader', 'collaborator'],
    awardedTo: ['luis', 'samuel'],
    awardedBy: 'dev',
  },
];
