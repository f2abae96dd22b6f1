// Demo content: fictional districts, schools and educators. Links to docs.example.org stand for
// documents a district would share; the other links go to public agencies.
import type {
  FOCUS_AREAS,
  ISTE_STANDARDS,
  REACTION_KINDS,
  RSVP_STATUSES,
  THREAD_KINDS,
  VISIBILITIES,
} from './tables/index.ts';

export const DEMO_DISTRICTS = [
  {
    slug: 'riverbend-usd',
    name: 'Riverbend Unified School District',
    domain: 'riverbend.example.org',
    schools: ['Riverbend Elementary School', 'Willow Creek Middle School', 'Riverbend High School'],
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
];

/** The demo's platform admin: creates districts and verifies their domains. */
export const DEMO_PLATFORM_ADMIN = {
  email: 'admin@staffroom.example.org',
  name: 'Staffroom Admin',
} as const;

/** District admins, by district slug: they manage schools, domains, single sign-on and staff. */
export const DEMO_DISTRICT_ADMINS: Record<string, PersonKey[]> = {
  'riverbend-usd': ['luis'],
  'cedar-plains-isd': ['tom'],
};

/** Educators. `school` is a school name from DEMO_DISTRICTS, which also sets the district. */
export const DEMO_PEOPLE = [
  {
    key: 'demo',
    email: 'demo@staffroom.example.org',
    name: 'Demo Educator',
    role: 'Grade 4 teacher',
    school: 'Riverbend Elementary School',
    bio: 'Fourth-grade teacher trying makerspace projects and structured literacy this year.',
  },
  {
    key: 'facilitator',
    email: 'facilitator@staffroom.example.org',
    name: 'Jordan Ellis',
    role: 'Instructional technology coach',
    school: 'Willow Creek Middle School',
    bio: 'Technology coach for Riverbend. I run the Elementary Makerspace Network and never throw away a cardboard box.',
  },
  {
    key: 'maya',
    email: 'maya.chen@riverbend.example.org',
    name: 'Maya Chen',
    role: 'Grade 7 science teacher',
    school: 'Willow Creek Middle School',
    bio: 'Seventh-grade science built around phenomena. Ask me about fog in a jar.',
  },
  {
    key: 'luis',
    email: 'luis.ortega@riverbend.example.org',
    name: 'Luis Ortega',
    role: 'Principal',
    school: 'Riverbend High School',
    bio: 'Principal at Riverbend High. Former chemistry teacher; the goggles are still in my office.',
  },
  {
    key: 'dev',
    email: 'dev.patel@riverbend.example.org',
    name: 'Dev Patel',
    role: 'School counselor',
    school: 'Riverbend Elementary School',
    bio: 'Counselor and crisis response team lead.',
  },
  {
    key: 'sofia',
    email: 'sofia.reyes@riverbend.example.org',
    name: 'Sofía Reyes',
    role: 'English language development teacher',
    school: 'Willow Creek Middle School',
    bio: 'ELD teacher for newcomers in grades 6-8.',
  },
  {
    key: 'amara',
    email: 'amara.okafor@cedarplains.example.org',
    name: 'Amara Okafor',
    role: 'Reading specialist',
    school: 'Prairie View Elementary',
    bio: 'K-2 reading specialist: structured literacy, decodables and a lot of sound walls.',
  },
  {
    key: 'tom',
    email: 'tom.bergstrom@cedarplains.example.org',
    name: 'Tom Bergström',
    role: 'Grade 8 math teacher',
    school: 'Cedar Plains Middle School',
    bio: 'Eighth-grade math and robotics club sponsor.',
  },
  {
    key: 'priya',
    email: 'priya.raman@cedarplains.example.org',
    name: 'Priya Raman',
    role: 'Literacy coach',
    school: 'Cedar Plains Middle School',
    bio: 'Literacy coach for grades 6-8 and mentor for new teachers.',
  },
  {
    key: 'marcus',
    email: 'marcus.bell@cedarplains.example.org',
    name: 'Marcus Bell',
    role: 'Grade 2 teacher',
    school: 'Prairie View Elementary',
    bio: 'Second-grade teacher in my first year. Grateful for every tip.',
  },
  {
    key: 'rosa',
    email: 'rosa.delgado@cedarplains.example.org',
    name: 'Rosa Delgado',
    role: 'Principal',
    school: 'Prairie View Elementary',
    bio: 'Principal at Prairie View after twenty years in Cedar Plains classrooms.',
  },
  {
    key: 'grace',
    email: 'grace.kim@northharbor.example.org',
    name: 'Grace Kim',
    role: 'Grade 1 teacher',
    school: 'Harborside Elementary',
    bio: 'First-grade teacher and member of our school safety team.',
  },
  {
    key: 'samuel',
    email: 'samuel.adeyemi@northharbor.example.org',
    name: 'Samuel Adeyemi',
    role: 'Assistant principal',
    school: 'North Harbor High School',
    bio: 'Assistant principal and emergency operations lead.',
  },
  {
    key: 'elena',
    email: 'elena.popescu@northharbor.example.org',
    name: 'Elena Popescu',
    role: 'Special education teacher',
    school: 'Lighthouse Academy',
    bio: 'Special education teacher in a K-8 resource room.',
  },
  {
    key: 'hannah',
    email: 'hannah.weiss@northharbor.example.org',
    name: 'Hannah Weiss',
    role: 'Physics and engineering teacher',
    school: 'North Harbor High School',
    bio: 'Physics and engineering design. Our popsicle-stick bridges hold more than you would think.',
  },
  {
    key: 'noah',
    email: 'noah.lindqvist@northharbor.example.org',
    name: 'Noah Lindqvist',
    role: 'Library media specialist',
    school: 'Harborside Elementary',
    bio: 'Library media specialist. Our library lends maker kits as well as books.',
  },
] as const;

export type PersonKey = (typeof DEMO_PEOPLE)[number]['key'];

export interface DemoCommunity {
  slug: string;
  name: string;
  description: string;
  focus: (typeof FOCUS_AREAS)[number];
  visibility: (typeof VISIBILITIES)[number];
  /** For private communities: whether non-members see it; listed unless set to false. */
  listed?: boolean;
  /** Slug of the owning district, for a district community. */
  district?: string;
  /** The owner also created the community. */
  owner: PersonKey;
  facilitators: PersonKey[];
  members: PersonKey[];
}

export const DEMO_COMMUNITIES: DemoCommunity[] = [
  {
    slug: 'elementary-makerspace-network',
    name: 'Elementary Makerspace Network',
    description:
      'Teachers building **hands-on STEM** in K-5 classrooms and libraries: makerspace routines, low-cost materials and design challenges that fit a 45-minute block.',
    focus: 'stem',
    visibility: 'public',
    owner: 'facilitator',
    facilitators: ['maya'],
    members: ['demo', 'tom', 'hannah', 'marcus', 'grace', 'noah'],
  },
  {
    slug: 'science-of-reading-circle',
    name: 'Science of Reading Circle',
    description:
      'A cross-district circle for K-8 educators putting structured literacy into practice: phonemic awareness, explicit phonics, decodable texts and knowledge-building read-alouds.',
    focus: 'literacy',
    visibility: 'public',
    owner: 'amara',
    facilitators: ['priya', 'demo'],
    members: ['sofia', 'marcus', 'elena', 'noah', 'rosa', 'grace'],
  },
  {
    slug: 'school-safety-crisis-preparedness',
    name: 'School Safety & Crisis Preparedness',
    description:
      'Administrators, counselors and teachers sharing drill plans, reunification procedures and trauma-informed recovery practices. Remove names and building details before posting a plan.',
    focus: 'crisis_preparedness',
    visibility: 'public',
    owner: 'samuel',
    facilitators: ['dev', 'facilitator'],
    members: ['grace', 'luis', 'demo', 'elena', 'rosa', 'noah'],
  },
  {
    slug: 'instructional-leadership-roundtable',
    name: 'Instructional Leadership Roundtable',
    description:
      'Principals, assistant principals and coaches comparing notes on walkthroughs, coaching cycles and professional learning that teachers actually ask for.',
    focus: 'leadership',
    visibility: 'public',
    owner: 'rosa',
    facilitators: ['samuel'],
    members: ['luis', 'priya', 'facilitator'],
  },
  {
    slug: 'riverbend-instructional-coaches',
    name: 'Riverbend Instructional Coaches',
    description:
      'District community for Riverbend coaches and school leaders: coaching cycles, walkthrough data and planning for PD days.',
    focus: 'leadership',
    visibility: 'district',
    district: 'riverbend-usd',
    owner: 'luis',
    facilitators: ['facilitator'],
    members: ['maya', 'demo', 'sofia'],
  },
  {
    slug: 'new-teacher-support-circle',
    name: 'New Teacher Support Circle',
    description:
      'A private space for first- and second-year teachers to ask anything, with mentors who listen. What is shared here stays here.',
    focus: 'other',
    visibility: 'private',
    listed: false,
    owner: 'priya',
    facilitators: ['grace'],
    members: ['marcus', 'demo'],
  },
];

export interface DemoPost {
  by: PersonKey;
  body: string;
  reactions?: [PersonKey, (typeof REACTION_KINDS)[number]][];
}

/** A top-level reply, whose own replies sit one level deeper. */
export interface DemoReply extends DemoPost {
  /** Marks the accepted answer of a question. */
  accepted?: boolean;
  replies?: DemoPost[];
}

export interface DemoThread {
  community: string;
  by: PersonKey;
  kind: (typeof THREAD_KINDS)[number];
  title: string;
  /** Age of the thread in days. Its replies follow at most six hours apart, all before now. */
  daysAgo: number;
  pinned?: boolean;
  body: string;
  replies: DemoReply[];
}

export const DEMO_THREADS: DemoThread[] = [
  {
    community: 'elementary-makerspace-network',
    by: 'facilitator',
    kind: 'announcement',
    title: 'Welcome! Start here',
    daysAgo: 45,
    pinned: true,
    body: 'Welcome to the **Elementary Makerspace Network**. We are K-5 teachers, librarians and coaches from several districts, and this is the place to swap what works and what flopped.\n\nA few norms:\n\n- Share what **failed** as well as what worked. Failed prototypes teach the most.\n- Photos of student work need media consent on file. Hide faces and name tags.\n- Put the grade band in your title, for example `[K-2]` or `[3-5]`.\n- Credit the teacher an idea came from.\n\nOur shared materials list lives in [this spreadsheet](https://docs.example.org/makerspace-materials). Office hours run every month; see **Live sessions**.',
    replies: [
      {
        by: 'maya',
        body: 'One more: if you borrow an idea from the network, post a photo of how it went. The follow-up posts are my favorite part of this place.',
        reactions: [
          ['demo', 'like'],
          ['grace', 'like'],
        ],
      },
      {
        by: 'facilitator',
        body: 'The materials list now has a **cost per student** column and a tab of free materials families can send in: cereal boxes, bottle caps and paper towel tubes.',
        replies: [
          {
            by: 'maya',
            body: 'The cost column makes budget requests so much easier. Thank you!',
          },
        ],
      },
    ],
  },
  {
    community: 'elementary-makerspace-network',
    by: 'demo',
    kind: 'question',
    title: '[3-5] Cardboard automata with 28 kids and one glue gun?',
    daysAgo: 12,
    body: 'I want to run a **cardboard automata** challenge with my fourth graders next month: cams, followers and a little scene on top. I have 28 students, one 45-minute block a day and exactly one glue gun.\n\nHow do you handle:\n\n1. Hot glue with a full class?\n2. Cutting the cams? Do you pre-cut them?\n3. Storing half-built automata between sessions?\n\nPhotos of your setups are very welcome.',
    replies: [
      {
        by: 'maya',
        accepted: true,
        body: 'We run **two low-temperature glue stations** with a sign-up sheet and a parent volunteer at each for the first two days.\n\nPre-cut the cams. Tracing and cutting circles eats a whole period and is not the learning you are after. Students pick a cam shape (round, egg or snail) from a tray instead.\n\nFor storage, each group gets a copy-paper box lid with their names on masking tape.',
        reactions: [
          ['demo', 'thanks'],
          ['tom', 'insightful'],
          ['grace', 'like'],
        ],
        replies: [
          {
            by: 'demo',
            body: 'Low-temperature stations plus a sign-up sheet, perfect. I will ask our PTA for two more glue guns. Thank you!',
          },
        ],
      },
      {
        by: 'tom',
        body: 'Use brass fasteners instead of glue for anything that has to move. My robotics kids had fewer burns and could **fix their own mechanisms** without waiting for me.',
        reactions: [
          ['grace', 'like'],
          ['demo', 'insightful'],
        ],
      },
      {
        by: 'noah',
        body: 'The library has a set of cardboard safety cutters and a box of precut dowels to lend. Email me and I will send them over with the courier.',
        replies: [{ by: 'demo', body: 'Emailing you now!' }],
      },
      {
        by: 'hannah',
        body: 'From the high-school side: have students sketch the cam profile and **predict** how the follower will move before they build. Fourth graders can draw the up-and-down pattern, and it makes testing much richer.',
        reactions: [['maya', 'insightful']],
      },
    ],
  },
  {
    community: 'elementary-makerspace-network',
    by: 'hannah',
    kind: 'discussion',
    title: 'Design journals: paper or digital?',
    daysAgo: 8,
    body: 'Our engineering team is debating whether design journals should move to slides. Paper feels better for sketching; digital is easier to grade and never gets lost in a backpack.\n\nWhat do you do, and why? I am especially interested in:\n\n- how you **assess** journals without drowning\n- what younger students can handle',
    replies: [
      {
        by: 'facilitator',
        body: 'Paper for sketching, then a photo of the page into the digital portfolio at the end of each design phase. Students keep thinking by hand, and I get something I can comment on from home.',
        reactions: [
          ['hannah', 'insightful'],
          ['maya', 'like'],
        ],
        replies: [
          { by: 'hannah', body: 'Trying this next week with the bridge unit. I will report back.' },
        ],
      },
      {
        by: 'marcus',
        body: 'My second graders still need paper. Typing slows their thinking down too much, and they love drawing arrows everywhere.',
      },
      {
        by: 'maya',
        body: 'I grade only **two pages** per phase with a four-point checklist: problem, sketch, test result, next change. Students choose which two pages I see.',
        reactions: [
          ['hannah', 'thanks'],
          ['tom', 'like'],
        ],
      },
      {
        by: 'grace',
        body: 'In first grade we keep one big class journal on chart paper. Everyone adds a sticky note with a drawing. It is not individual, but they learn that engineers write things down.',
      },
    ],
  },
  {
    community: 'elementary-makerspace-network',
    by: 'maya',
    kind: 'discussion',
    title: 'Phenomena that hooked your class this year',
    daysAgo: 20,
    body: 'Share one phenomenon that got your students asking questions on their own. Mine: **why does our classroom window fog up only in the morning?** It turned into a two-week investigation of condensation with borrowed data loggers.\n\nBonus points for phenomena that cost nothing.',
    replies: [
      {
        by: 'grace',
        body: 'A pumpkin left on the windowsill for three weeks. The decomposition questions never stopped, and neither did the smell.',
        reactions: [
          ['maya', 'celebrate'],
          ['noah', 'like'],
        ],
      },
      {
        by: 'tom',
        body: 'Why the flag outside snaps louder on some days. It led straight into collecting wind-speed data with a cheap anemometer.',
      },
      {
        by: 'noah',
        body: 'Library books that come back with water damage. Students wanted to know why some pages warp and others do not.',
        replies: [{ by: 'maya', body: 'Paper fibers and water, love it. Borrowing this one.' }],
      },
      {
        by: 'marcus',
        body: 'Our shadows on the playground at morning recess versus lunch. Simple, free, and my kids now check their shadow every day.',
        reactions: [['grace', 'celebrate']],
      },
    ],
  },
  {
    community: 'elementary-makerspace-network',
    by: 'marcus',
    kind: 'question',
    title: '[K-2] Storing half-finished projects in a shared room?',
    daysAgo: 3,
    body: 'I share my classroom with an after-school program, so nothing can stay out overnight. Where do you keep **half-finished builds** during a week-long project?\n\nMy budget is close to zero.',
    replies: [
      {
        by: 'grace',
        body: 'Pizza boxes! A local pizza place donated a stack of clean ones. Each table gets one, the projects stack flat and names go on the side.',
        reactions: [['marcus', 'thanks']],
      },
      {
        by: 'facilitator',
        body: 'Ask your custodian about a rolling cart that can live in a storage closet. Ours came from the district surplus warehouse for free.',
        replies: [
          {
            by: 'marcus',
            body: 'I did not know we had a surplus warehouse. Asking tomorrow.',
          },
        ],
      },
    ],
  },
  {
    community: 'science-of-reading-circle',
    by: 'amara',
    kind: 'announcement',
    title: 'Book study: chapters 3 and 4 this month',
    daysAgo: 14,
    pinned: true,
    body: 'This month we read **chapters 3 and 4** together: phonemic awareness, and the move from letter names to sound-spelling patterns.\n\nBefore our live session:\n\n1. Read both chapters (about 40 pages).\n2. Pick **one routine** to try with students this week.\n3. Post a short note in the circle about how it went.\n\nNo copy of the book? The Harborside library has three to lend, and [our reading guide](https://docs.example.org/sor-book-study-guide) summarizes each chapter.',
    replies: [
      {
        by: 'priya',
        body: 'Middle-school colleagues are welcome too. Chapter 4 applies to older struggling readers more than its title suggests.',
      },
      {
        by: 'demo',
        body: 'I made a one-page template for choosing your routine: [routine planner](https://docs.example.org/routine-planner). Copy it and make it yours.',
        reactions: [
          ['amara', 'thanks'],
          ['marcus', 'like'],
          ['sofia', 'thanks'],
        ],
      },
    ],
  },
  {
    community: 'science-of-reading-circle',
    by: 'marcus',
    kind: 'question',
    title: 'Decodable texts that do not bore second graders?',
    daysAgo: 18,
    body: 'My decodable readers are technically right and **deadly dull**. "Sam sat. Sam sat on a mat." My students read them once and never again.\n\nAny series with real stories, recurring characters or some humor? They need to cover CVC words through vowel teams.',
    replies: [
      {
        by: 'amara',
        accepted: true,
        body: "Look for series with **recurring characters**, because children reread to find out what happens next. I keep a list sorted by phonics pattern: [Prairie View decodable list](https://docs.example.org/prairie-view-decodables).\n\nAlso let students write their own decodable stories with the pattern of the week. They adore reading each other's.",
        reactions: [
          ['marcus', 'thanks'],
          ['demo', 'insightful'],
          ['rosa', 'like'],
        ],
        replies: [{ by: 'marcus', body: 'Student-written decodables! Doing that on Friday.' }],
      },
      {
        by: 'noah',
        body: 'The library just added two decodable sets with comic-style panels. Come browse on Thursday after school.',
        replies: [{ by: 'marcus', body: 'See you Thursday!' }],
      },
      {
        by: 'grace',
        body: 'Partner reading with **job cards** (reader and checker) makes even a dull text active. The checker points to each word as the reader goes.',
      },
    ],
  },
  {
    community: 'science-of-reading-circle',
    by: 'sofia',
    kind: 'discussion',
    title: 'Structured literacy for multilingual learners',
    daysAgo: 10,
    body: 'How are you adapting phonics routines for students whose home language has a different set of sounds? Right now I:\n\n- contrast tricky pairs explicitly (/b/ and /v/, /sh/ and /ch/)\n- pre-teach vocabulary before decoding practice\n- let students explain the pattern in their home language first\n\nWhat else works for you?',
    replies: [
      {
        by: 'priya',
        body: 'Mouth-position photos and small mirrors helped my newcomers with sounds that do not exist in Spanish or Arabic. Students check their own mouth shape against the card.',
        reactions: [
          ['sofia', 'insightful'],
          ['elena', 'like'],
        ],
      },
      {
        by: 'elena',
        body: 'The same routines work for my students with speech goals on their IEPs. I add a **gesture** for each sound, and later the gesture becomes a silent cue.',
      },
      {
        by: 'demo',
        body: 'Following this closely. A third of my fourth graders are newcomers this year, and I have been skipping the contrast work for lack of time. This thread is changing my mind.',
        replies: [
          {
            by: 'sofia',
            body: 'Even five minutes a day of contrast pairs makes a difference. Happy to share my card set.',
          },
        ],
      },
      {
        by: 'amara',
        body: 'Later on, cognates make morphology easier: **-tion** and **-ción** are a gift.',
        reactions: [['sofia', 'celebrate']],
      },
    ],
  },
  {
    community: 'science-of-reading-circle',
    by: 'demo',
    kind: 'discussion',
    title: 'Explaining the move away from three-cueing to families',
    daysAgo: 1.5,
    body: 'Our school is moving away from three-cueing ("look at the picture and guess a word that makes sense") toward **decoding first**. Several parents have asked why the reading log now says "sound it out" instead of "use the picture".\n\nHow did you explain the change to families? I would love:\n\n- a short paragraph to adapt for our newsletter\n- ideas for a family reading night',
    replies: [
      {
        by: 'amara',
        body: 'We wrote: *Pictures help with meaning, but the words on the page are what we want children to read. We now ask them to look at every letter, say the sounds and blend them, then check that the word makes sense.* Families liked a short example with a real word.',
        reactions: [
          ['demo', 'thanks'],
          ['priya', 'like'],
        ],
      },
      {
        by: 'rosa',
        body: 'Prairie View held a **family reading night** with three stations: sound it out, blend it, read it in a sentence. Families practiced with their own child. Attendance doubled when we served dinner.',
        replies: [{ by: 'demo', body: 'Dinner is the secret ingredient, noted. Thank you, Rosa.' }],
      },
      {
        by: 'grace',
        body: 'I send home a **decoding bookmark** with the prompts we use in class, so families use the same words at home.',
      },
    ],
  },
  {
    community: 'school-safety-crisis-preparedness',
    by: 'samuel',
    kind: 'announcement',
    title: 'Spring drill calendar and after-action review template',
    daysAgo: 30,
    pinned: true,
    body: 'Spring drill season is here. To make planning easier we posted two templates:\n\n- a **drill calendar** that spaces fire, lockdown, shelter-in-place and reunification drills across the semester ([drill calendar](https://docs.example.org/drill-calendar))\n- an **after-action review** form with three questions: what went well, what did not, what we change\n\nPlease remove names and building details before you post a filled-in plan. For federal planning guides, see the [REMS TA Center](https://rems.ed.gov).',
    replies: [
      {
        by: 'dev',
        body: 'The after-action form now has a line for **student and staff well-being**: who needed support afterward, and whether they got it.',
        reactions: [['grace', 'thanks']],
      },
      {
        by: 'facilitator',
        body: 'I added a tab for accessibility notes: evacuation chairs, students who need a buddy, and which exits have ramps.',
        replies: [
          {
            by: 'samuel',
            body: 'Thank you, Jordan. That tab should have been there from the start.',
          },
        ],
      },
    ],
  },
  {
    community: 'school-safety-crisis-preparedness',
    by: 'samuel',
    kind: 'discussion',
    title: 'Reunification drills: what did your last one teach you?',
    daysAgo: 22,
    body: 'We ran our first full reunification drill with volunteer parents last month. Biggest lesson: the **sign-out table** was the bottleneck, with one line for 400 students.\n\nWhat surprised you in your last drill?',
    replies: [
      {
        by: 'luis',
        body: 'Our radios died after ninety minutes. We now keep a **charged spare set** in the go-bin, and one person checks them every month.',
        reactions: [
          ['samuel', 'insightful'],
          ['dev', 'like'],
        ],
      },
      {
        by: 'grace',
        body: 'The little ones needed a calm activity while they waited. Every class go-bag now has coloring sheets and a picture book.',
        replies: [
          {
            by: 'dev',
            body: 'Good point: predictable, quiet tasks lower anxiety for the adults too.',
          },
        ],
      },
      {
        by: 'rosa',
        body: "We split sign-out by the first letter of the student's last name, with a runner for each table. The average wait went from 25 minutes to 8.",
        reactions: [
          ['samuel', 'celebrate'],
          ['luis', 'insightful'],
        ],
      },
      {
        by: 'elena',
        body: "Plan for students who cannot stand in line for long. We had a separate quiet area with a staff member who knew each student's plan.",
      },
    ],
  },
  {
    community: 'school-safety-crisis-preparedness',
    by: 'dev',
    kind: 'question',
    title: 'Talking with students after a community tragedy',
    daysAgo: 16,
    body: 'What language do you use in the first homeroom after a tragedy in the community? I am looking for scripts for grades 3-8 that are **honest without being graphic**.',
    replies: [
      {
        by: 'elena',
        accepted: true,
        body: "We keep it short:\n\n1. What happened, in plain words\n2. What adults are doing to keep everyone safe\n3. Where to find help today (the counselor's office, the quiet room)\n\nThen we let students ask questions, and we answer only what they ask.",
        reactions: [
          ['dev', 'thanks'],
          ['grace', 'thanks'],
          ['samuel', 'insightful'],
        ],
      },
      {
        by: 'demo',
        body: 'Our counselor gave us a one-page script last year, and having the words in front of me helped me stay steady. I also tell students it is okay not to feel anything yet.',
      },
      {
        by: 'noah',
        body: 'The [National Child Traumatic Stress Network](https://www.nctsn.org) publishes tip sheets for educators. I share them with staff.',
        replies: [
          {
            by: 'dev',
            body: 'Those tip sheets are the base of our psychological first aid training.',
          },
        ],
      },
    ],
  },
  {
    community: 'school-safety-crisis-preparedness',
    by: 'demo',
    kind: 'question',
    title: 'Lockdown drills with students who have sensory needs',
    daysAgo: 6,
    body: 'Two of my students find the lockdown alarm **physically painful**, and one hid under a desk for the rest of the morning after our last drill.\n\nHow do you prepare students with sensory needs without making the drill less real?',
    replies: [
      {
        by: 'elena',
        accepted: true,
        body: "What works for us:\n\n- A **social story** with photos of our own room, read the week before\n- Noise-reducing headphones kept in the lockdown kit, not in a cubby\n- A first practice with the alarm at low volume, with the student's family informed\n\nA calm-down plan for afterward matters as much as the drill itself.",
        reactions: [
          ['demo', 'thanks'],
          ['dev', 'insightful'],
        ],
      },
      {
        by: 'dev',
        body: "Bring in the counselor and the family before the drill. We write the supports into the student's plan so every adult knows them.",
        replies: [{ by: 'demo', body: 'Thank you both. I am meeting our counselor on Thursday.' }],
      },
      {
        by: 'grace',
        body: 'I tell the class that a drill is coming **that day**, without saying when. The predictability helps everyone.',
      },
    ],
  },
  {
    community: 'school-safety-crisis-preparedness',
    by: 'luis',
    kind: 'discussion',
    title: 'Where do you store bleeding control kits?',
    daysAgo: 4,
    body: 'We just received bleeding control kits for every floor. Where do you store them so they can be reached in seconds but do not get played with?\n\nMy current idea: next to each AED, in a cabinet with a breakable seal.',
    replies: [
      {
        by: 'samuel',
        body: 'Next to the AEDs works for us. Use the same sign in every building so staff visiting from other schools recognize it.',
      },
      {
        by: 'facilitator',
        body: 'Train people before you place the kits. A kit nobody has opened is not much use. Our nurse ran a **30-minute session** at a staff meeting.',
        reactions: [
          ['luis', 'thanks'],
          ['rosa', 'like'],
        ],
      },
      {
        by: 'rosa',
        body: 'We also keep one in the main office and one in the gym, since that is where crowds gather.',
      },
    ],
  },
  {
    community: 'instructional-leadership-roundtable',
    by: 'rosa',
    kind: 'announcement',
    title: "Roundtable norms and this semester's topics",
    daysAgo: 25,
    pinned: true,
    body: 'Welcome, leaders. This roundtable is for honest talk about instructional leadership. Our norms:\n\n- **Assume good intent**, and ask before giving advice\n- Share data with names removed\n- Bring a problem of practice, not only a success\n\nThis semester: walkthrough feedback, coaching cycles, and PD days teachers actually ask for.',
    replies: [
      {
        by: 'samuel',
        body: 'I will host the walkthrough feedback session. Send me your feedback forms, with names removed, and I will put them side by side.',
        reactions: [['luis', 'like']],
      },
      {
        by: 'rosa',
        body: 'Thank you, Samuel. The Prairie View form is on its way.',
      },
    ],
  },
  {
    community: 'instructional-leadership-roundtable',
    by: 'priya',
    kind: 'discussion',
    title: 'Coaching cycles: how long is long enough?',
    daysAgo: 9,
    body: 'Our district asks for six-week coaching cycles. Teachers tell me six weeks feels like forever when they want help with one lesson.\n\nDo you run shorter cycles? How do you keep them **focused on student evidence** rather than on teacher moves alone?',
    replies: [
      {
        by: 'facilitator',
        body: 'We offer a **two-week light cycle** for a single goal and keep the six-week cycle for bigger shifts. Both start from one piece of student work.',
        reactions: [['priya', 'insightful']],
      },
      {
        by: 'luis',
        body: 'Teachers choose the length at the planning meeting. Giving them the choice changed how many asked for coaching at all.',
      },
      {
        by: 'rosa',
        body: 'I ask coaches to bring **student work samples** to our check-ins, never just lesson plans. It keeps everyone honest about impact.',
        replies: [{ by: 'priya', body: 'Adopting this for my check-ins with our principal.' }],
      },
    ],
  },
  {
    community: 'instructional-leadership-roundtable',
    by: 'luis',
    kind: 'question',
    title: 'Feedback after walkthroughs: written, spoken or both?',
    daysAgo: 5,
    body: 'After a ten-minute walkthrough, do you leave written feedback, talk in person, or both? Our teachers say written notes feel like an evaluation even when they are not.',
    replies: [
      {
        by: 'samuel',
        accepted: true,
        body: 'Both, in that order: a **two-sentence note** the same day (one thing I saw students do, one question), then a short conversation within the week if the teacher wants one. The question keeps it from reading like a score.',
        reactions: [
          ['luis', 'thanks'],
          ['rosa', 'insightful'],
        ],
      },
      {
        by: 'priya',
        body: 'Let teachers pick the walkthrough focus ahead of time. Feedback on something they asked about lands very differently.',
      },
      {
        by: 'facilitator',
        body: "We stopped using the district form for informal visits. A sticky note on the teacher's desk feels far less formal, and teachers keep them.",
      },
    ],
  },
  {
    community: 'riverbend-instructional-coaches',
    by: 'luis',
    kind: 'discussion',
    title: 'Spring walkthrough focus: student discourse',
    daysAgo: 11,
    body: "Proposal: this spring our walkthroughs look only at **student discourse**. Look-fors:\n\n- Who is talking: students to students, or mostly the teacher?\n- Are students asked to explain **why**, not only what?\n- Do students build on each other's ideas?\n\nObjections or refinements before we share it with schools?",
    replies: [
      {
        by: 'facilitator',
        body: 'Agreed. Let us share the look-fors with teachers **before** the first visit so nobody is surprised.',
      },
      {
        by: 'maya',
        body: 'Could we add a short student survey? Students notice who gets to talk.',
        reactions: [['luis', 'insightful']],
      },
      {
        by: 'sofia',
        body: 'Please add a look-for on language supports: sentence frames, and partner talk before whole-class talk. Otherwise newcomers look silent when they are thinking.',
        replies: [{ by: 'luis', body: 'Good catch. Adding it to the list.' }],
      },
    ],
  },
  {
    community: 'riverbend-instructional-coaches',
    by: 'demo',
    kind: 'question',
    title: 'PD day sign-ups: who has a template?',
    daysAgo: 7,
    body: 'The March PD day has a morning of sessions that teachers choose. Has anyone built a **sign-up form** that caps each room and shows what is full? Last year we used a paper sheet in the office.',
    replies: [
      {
        by: 'facilitator',
        accepted: true,
        body: 'Yes: [PD day sign-up template](https://docs.example.org/riverbend-pd-signup). It caps each session, lists room numbers and sends a confirmation. Copy it and change the session names.',
        reactions: [
          ['demo', 'thanks'],
          ['maya', 'like'],
        ],
      },
      {
        by: 'maya',
        body: 'Ask presenters for a two-sentence description that says who the session is for (grade band, subject). Sign-ups were much more even after we did that.',
      },
    ],
  },
  {
    community: 'new-teacher-support-circle',
    by: 'marcus',
    kind: 'discussion',
    title: 'Parent conferences next week and I am nervous',
    daysAgo: 13,
    body: 'My first conferences ever. How do you start a conversation about a student who is **really struggling**? I do not want the family to feel ambushed.',
    replies: [
      {
        by: 'priya',
        body: 'Start with one true, specific strength of the child. Families relax when they hear that you **know their kid**. Then share the concern with a work sample, and end with one thing you will try and one thing they can try at home.',
        reactions: [
          ['marcus', 'thanks'],
          ['grace', 'like'],
        ],
      },
      {
        by: 'demo',
        body: 'Bring the work sample even if it feels awkward. It keeps the talk on the learning, not on the child.',
      },
      {
        by: 'grace',
        body: 'Ask the family first: *What does your child say about school?* You will learn something, and it turns the meeting into a conversation.',
        replies: [
          {
            by: 'marcus',
            body: 'Writing all three of these on an index card for my conference table.',
          },
        ],
      },
    ],
  },
  {
    community: 'new-teacher-support-circle',
    by: 'demo',
    kind: 'question',
    title: 'Keeping up with grading without working every weekend',
    daysAgo: 2.5,
    body: 'I promised myself I would stop grading on Sundays this year, and it is not going well. What has actually worked for you?\n\nI teach every subject in fourth grade, so the pile is **everything**.',
    replies: [
      {
        by: 'priya',
        accepted: true,
        body: 'Grade less, respond more. Pick **one skill** per assignment to give feedback on, and use a quick check mark scale for the rest.',
        reactions: [['demo', 'thanks']],
      },
      {
        by: 'grace',
        body: 'I grade during silent reading twice a week and leave by 4:30 on Fridays no matter what. Setting the rule was harder than keeping it.',
      },
      { by: 'marcus', body: 'Following. Asking for a friend (me).' },
    ],
  },
];

interface DemoLiveSessionBase {
  community: string;
  host: PersonKey;
  title: string;
  description: string;
  timeZone: string;
  /** Last path segment of the join URL. */
  room: string;
  rsvps: [PersonKey, (typeof RSVP_STATUSES)[number]][];
  /** Messages as author, minutes after the start, and body. */
  chat: [PersonKey, number, string][];
}

/**
 * The live one runs from an hour before now to an hour after. The others start at `start`
 * (HH:MM on the wall clock of `timeZone`), `day` calendar days from today there.
 */
export type DemoLiveSession = DemoLiveSessionBase &
  (
    | { status: 'live' }
    | { status: 'scheduled' | 'ended' | 'cancelled'; day: number; start: string; minutes: number }
  );

export const DEMO_LIVE_SESSIONS: DemoLiveSession[] = [
  {
    community: 'elementary-makerspace-network',
    host: 'facilitator',
    title: 'Makerspace office hours',
    description:
      'Bring a project that is stuck, a material you cannot figure out or a lesson you want to try. We troubleshoot together.',
    status: 'live',
    timeZone: 'America/Los_Angeles',
    room: 'makerspace-office-hours',
    rsvps: [
      ['demo', 'going'],
      ['maya', 'going'],
      ['tom', 'going'],
      ['noah', 'going'],
      ['grace', 'maybe'],
    ],
    chat: [
      ['facilitator', 2, 'Welcome in! Drop your questions here and I will take them in order.'],
      [
        'demo',
        5,
        'Follow-up on the automata: how do you keep the cam from sliding along the axle?',
      ],
      ['maya', 8, 'A slice of drinking straw as a spacer, with glue on the outside only.'],
      ['tom', 12, 'Or a bead on each side. Beads spin freely and glue does not.'],
      ['noah', 20, 'Joining late. I can bring straws and beads from the library kit.'],
    ],
  },
  {
    community: 'elementary-makerspace-network',
    host: 'facilitator',
    title: 'Circuits on a shoestring',
    description:
      'Copper tape, coin cells and LEDs for less than a dollar a student, with a paper-circuit template you can print.',
    status: 'ended',
    day: -10,
    start: '16:00',
    minutes: 60,
    timeZone: 'America/Los_Angeles',
    room: 'circuits-on-a-shoestring',
    rsvps: [
      ['tom', 'going'],
      ['noah', 'going'],
      ['grace', 'going'],
      ['marcus', 'maybe'],
    ],
    chat: [
      ['facilitator', 1, 'The templates are linked in the welcome thread.'],
      ['tom', 14, 'These paper-circuit templates are gold. My robotics kids want them too.'],
      ['noah', 31, 'I will post the recording in the library channel.'],
      ['grace', 45, 'My first graders can manage the single-LED card. Thank you!'],
    ],
  },
  {
    community: 'elementary-makerspace-network',
    host: 'maya',
    title: 'Design-thinking workshop: the 45-minute challenge',
    description:
      'A full design cycle (understand, define, build, test) that fits one class period, modeled live with a challenge you can reuse on Monday.',
    status: 'scheduled',
    day: 6,
    start: '15:30',
    minutes: 90,
    timeZone: 'America/Los_Angeles',
    room: 'design-thinking-45',
    rsvps: [
      ['demo', 'going'],
      ['hannah', 'going'],
      ['grace', 'going'],
      ['marcus', 'maybe'],
    ],
    chat: [],
  },
  {
    community: 'science-of-reading-circle',
    host: 'amara',
    title: 'Book study live: chapters 3 and 4',
    description: "We discuss this month's chapters, and each of us shares one routine we tried.",
    status: 'scheduled',
    day: 3,
    start: '19:00',
    minutes: 60,
    timeZone: 'America/Chicago',
    room: 'sor-book-study',
    rsvps: [
      ['demo', 'going'],
      ['sofia', 'going'],
      ['priya', 'going'],
      ['marcus', 'going'],
      ['elena', 'maybe'],
    ],
    chat: [],
  },
  {
    community: 'science-of-reading-circle',
    host: 'priya',
    title: 'Pop-up PD: morphology in middle school',
    description:
      'Twenty minutes on prefixes, roots and suffixes across content areas, then ten for questions.',
    status: 'ended',
    day: -5,
    start: '16:30',
    minutes: 30,
    timeZone: 'America/Chicago',
    room: 'morphology-pop-up',
    rsvps: [
      ['sofia', 'going'],
      ['elena', 'going'],
      ['demo', 'going'],
    ],
    chat: [
      ['priya', 1, 'The slides are linked in the book study thread.'],
      ['sofia', 12, 'The word-matrix activity is perfect for my newcomers.'],
      ['demo', 18, 'Could this work in fourth grade with simpler roots?'],
      ['priya', 21, 'Yes: start with compound words and common suffixes such as -ful and -less.'],
    ],
  },
  {
    community: 'science-of-reading-circle',
    host: 'demo',
    title: 'Decodable text swap',
    description:
      'Bring two decodable texts your students love and leave with ideas for a whole unit. Post your titles in the circle beforehand.',
    status: 'scheduled',
    day: 17,
    start: '16:00',
    minutes: 45,
    timeZone: 'America/Los_Angeles',
    room: 'decodable-swap',
    rsvps: [
      ['amara', 'going'],
      ['marcus', 'going'],
      ['grace', 'maybe'],
      ['noah', 'not_going'],
    ],
    chat: [],
  },
  {
    community: 'school-safety-crisis-preparedness',
    host: 'samuel',
    title: 'After-action reviews that lead to change',
    description:
      'Two anonymized after-action reviews, read together: which findings became changes, and which were forgotten.',
    status: 'ended',
    day: -19,
    start: '16:00',
    minutes: 60,
    timeZone: 'America/New_York',
    room: 'after-action-reviews',
    rsvps: [
      ['luis', 'going'],
      ['dev', 'going'],
      ['facilitator', 'going'],
    ],
    chat: [
      ['samuel', 2, 'Welcome! We will look at two real reviews with the details removed.'],
      ['luis', 25, 'The three-question format is much easier to fill in than our old form.'],
      ['dev', 40, 'Adding a well-being line made a big difference for us.'],
    ],
  },
  {
    community: 'school-safety-crisis-preparedness',
    host: 'dev',
    title: 'Psychological first aid basics',
    description:
      'Cancelled because of the early-release schedule; a new date will be posted in the community.',
    status: 'cancelled',
    day: 2,
    start: '16:00',
    minutes: 60,
    timeZone: 'America/Los_Angeles',
    room: 'pfa-basics',
    rsvps: [
      ['grace', 'going'],
      ['demo', 'maybe'],
    ],
    chat: [],
  },
  {
    community: 'school-safety-crisis-preparedness',
    host: 'samuel',
    title: 'Reunification tabletop exercise',
    description:
      'A guided tabletop walk-through of a reunification plan. Everyone takes a role: incident commander, sign-out table, runner or family liaison.',
    status: 'scheduled',
    day: 12,
    start: '15:30',
    minutes: 120,
    timeZone: 'America/New_York',
    room: 'reunification-tabletop',
    rsvps: [
      ['luis', 'going'],
      ['dev', 'going'],
      ['grace', 'going'],
      ['demo', 'going'],
      ['rosa', 'maybe'],
    ],
    chat: [],
  },
  {
    community: 'instructional-leadership-roundtable',
    host: 'rosa',
    title: 'Walkthrough feedback that teachers want',
    description:
      'Bring one feedback note you wrote this month, with names removed. We compare formats and draft a shared one.',
    status: 'scheduled',
    day: 4,
    start: '16:30',
    minutes: 60,
    timeZone: 'America/Chicago',
    room: 'walkthrough-feedback',
    rsvps: [
      ['samuel', 'going'],
      ['luis', 'going'],
      ['priya', 'going'],
    ],
    chat: [],
  },
  {
    community: 'riverbend-instructional-coaches',
    host: 'facilitator',
    title: 'Coaching cycle planning for spring',
    description: 'We map coaching cycles onto the spring calendar and agree on the look-fors.',
    status: 'scheduled',
    day: 9,
    start: '15:00',
    minutes: 60,
    timeZone: 'America/Los_Angeles',
    room: 'riverbend-coaching-spring',
    rsvps: [
      ['luis', 'going'],
      ['maya', 'going'],
      ['demo', 'going'],
      ['sofia', 'maybe'],
    ],
    chat: [],
  },
];

export interface DemoBadge {
  /** The community slug, or a district slug for a district badge. */
  community?: string;
  district?: string;
  name: string;
  description: string;
  criteria: string;
  isteStandards: (typeof ISTE_STANDARDS)[number][];
  createdBy: PersonKey;
  kind?: 'participation' | 'microcredential';
  validForDays?: number;
  /** A template image: a colour and a symbol of the badge image templates. */
  image?: { color: string; symbol: string };
  /** A rule that awards the badge; thresholds are above what the demo data reaches. */
  rule?:
    | { kind: 'replies_posted' | 'threads_started'; threshold: number }
    | { kind: 'pathway'; badges: string[] };
  awards: { to: PersonKey; by: PersonKey; daysAgo: number; note: string }[];
  /** Evidence waiting for review, for a microcredential. */
  pendingEvidence?: { from: PersonKey; daysAgo: number; reflection: string; links: string[] }[];
}

export const DEMO_BADGES: DemoBadge[] = [
  {
    community: 'elementary-makerspace-network',
    name: 'Design Challenge Architect',
    description:
      'Designed an engineering design challenge and guided students through the full cycle of building, testing and improving.',
    criteria:
      'To earn this badge:\n\n- Share your challenge brief with its constraints and materials list\n- Post photos of two student prototypes (with media consent, faces hidden)\n- Describe one change students made after testing, and one change **you** would make next time',
    isteStandards: ['designer', 'facilitator'],
    createdBy: 'facilitator',
    image: { color: '#c62828', symbol: 'pencil' },
    awards: [
      {
        to: 'maya',
        by: 'facilitator',
        daysAgo: 35,
        note: 'Your bridge challenge write-up is the model we show new members.',
      },
      {
        to: 'demo',
        by: 'facilitator',
        daysAgo: 1,
        note: 'Your automata challenge brief was clear enough that two other schools reused it.',
      },
    ],
  },
  {
    community: 'elementary-makerspace-network',
    name: 'Open Sharer',
    description: 'Shared classroom resources that other members picked up and used.',
    criteria:
      'Share three resources (lesson plans, templates or materials lists) in the network, and have at least two members post how they used one of them.',
    isteStandards: ['collaborator', 'learner'],
    createdBy: 'facilitator',
    image: { color: '#00838f', symbol: 'globe' },
    awards: [
      {
        to: 'tom',
        by: 'maya',
        daysAgo: 15,
        note: 'Three members used your brass-fastener linkage guide this month.',
      },
    ],
  },
  {
    community: 'science-of-reading-circle',
    name: 'Data-Informed Reading Instruction',
    description:
      'Used screening and progress-monitoring data to group students and adjust small-group reading instruction.',
    criteria:
      'Post a summary of one six-week intervention cycle, with student names removed:\n\n1. The screening data you started from\n2. How you grouped students and what you taught each group\n3. Progress-monitoring results, and the **one change** the data led you to make',
    isteStandards: ['analyst'],
    createdBy: 'amara',
    image: { color: '#283593', symbol: 'book' },
    awards: [
      {
        to: 'grace',
        by: 'amara',
        daysAgo: 28,
        note: 'Your first-grade cycle summary is a model of clear, anonymized data.',
      },
    ],
  },
  {
    community: 'science-of-reading-circle',
    name: 'Book Study Finisher',
    description:
      'Completed a book study with the circle and carried one idea from it into the classroom.',
    criteria:
      'Attend three book-study sessions and post a reflection on one routine you tried with students, including what you would adjust.',
    isteStandards: ['learner'],
    createdBy: 'amara',
    image: { color: '#ad1457', symbol: 'book' },
    awards: [
      {
        to: 'sofia',
        by: 'amara',
        daysAgo: 9,
        note: 'Your reflection on contrast pairs started a great thread.',
      },
      {
        to: 'marcus',
        by: 'priya',
        daysAgo: 9,
        note: 'Three sessions in your first year of teaching. Well done.',
      },
    ],
  },
  {
    community: 'school-safety-crisis-preparedness',
    name: 'Digital Citizenship Champion',
    description:
      'Taught students to act safely, responsibly and kindly online, and shared the lesson with colleagues.',
    criteria:
      'Teach a lesson on online safety, privacy or digital footprints, then share the plan and a summary of what students said they would do differently.',
    isteStandards: ['citizen'],
    createdBy: 'samuel',
    image: { color: '#00695c', symbol: 'globe' },
    awards: [
      {
        to: 'grace',
        by: 'samuel',
        daysAgo: 12,
        note: 'Teaching first graders to ask before sharing a photo is exactly the right start.',
      },
      {
        to: 'noah',
        by: 'dev',
        daysAgo: 4,
        note: 'Your lesson on checking a source before sharing it is now used in four classrooms.',
      },
    ],
  },
  {
    community: 'school-safety-crisis-preparedness',
    name: 'Preparedness Leader',
    description:
      'Led a drill or tabletop exercise with colleagues and shared the after-action review so others could learn from it.',
    criteria:
      'Plan and lead a drill or tabletop exercise, then post an after-action review with names removed that lists three improvements and who owns each one.',
    isteStandards: ['leader', 'collaborator'],
    createdBy: 'dev',
    image: { color: '#e65100', symbol: 'shield' },
    awards: [
      {
        to: 'luis',
        by: 'dev',
        daysAgo: 17,
        note: 'The spare-radio routine from your review is now in three buildings.',
      },
      {
        to: 'rosa',
        by: 'samuel',
        daysAgo: 6,
        note: 'Splitting sign-out by last name cut the wait by two thirds.',
      },
    ],
  },
  {
    community: 'instructional-leadership-roundtable',
    name: 'Evidence-Based Coaching Cycle',
    description:
      'Completed a coaching cycle anchored in student work, from setting a goal to reflecting on the results.',
    criteria:
      'Share a coaching cycle summary with names removed: the goal, the student evidence collected at the start and the end, and what the teacher and coach each learned.',
    isteStandards: ['leader', 'analyst', 'facilitator'],
    createdBy: 'rosa',
    image: { color: '#4e342e', symbol: 'atom' },
    awards: [
      {
        to: 'priya',
        by: 'rosa',
        daysAgo: 7,
        note: 'Your two-week cycle shows how much a short, focused cycle can do.',
      },
      {
        to: 'facilitator',
        by: 'samuel',
        daysAgo: 3,
        note: 'Starting every cycle from a piece of student work is now our practice too.',
      },
    ],
  },
  {
    community: 'elementary-makerspace-network',
    name: 'Makerspace Conversationalist',
    description: 'Keeps the network talking by answering other members with ideas and questions.',
    criteria: 'Post **10 replies** in the network. The badge is awarded automatically.',
    isteStandards: ['collaborator'],
    createdBy: 'facilitator',
    image: { color: '#b5651d', symbol: 'chat' },
    rule: { kind: 'replies_posted', threshold: 10 },
    awards: [],
  },
  {
    community: 'elementary-makerspace-network',
    name: 'Makerspace Mentor',
    description: 'Designed strong challenges and shared resources that others used.',
    criteria: 'Earn both **Design Challenge Architect** and **Open Sharer**.',
    isteStandards: ['leader', 'designer'],
    createdBy: 'facilitator',
    image: { color: '#6a1b9a', symbol: 'star' },
    rule: { kind: 'pathway', badges: ['Design Challenge Architect', 'Open Sharer'] },
    awards: [],
  },
  {
    community: 'elementary-makerspace-network',
    name: 'Engineering Design Coach',
    description: 'Certified to coach colleagues through an engineering design unit.',
    criteria:
      'Submit evidence:\n\n- A reflection on one design unit you taught\n- Links to your unit plan and student work samples (media consent, faces hidden)\n- One change you would make for next year',
    isteStandards: ['designer', 'facilitator', 'leader'],
    createdBy: 'facilitator',
    kind: 'microcredential',
    validForDays: 730,
    image: { color: '#2e7d32', symbol: 'lightbulb' },
    awards: [],
    pendingEvidence: [
      {
        from: 'maya',
        daysAgo: 2,
        reflection:
          'I taught a four-week bridge design unit to two seventh-grade classes. Students tested three prototypes each and kept an engineering notebook. The biggest shift came when groups had to explain a failed test to the class before redesigning.',
        links: ['https://example.org/maya/bridge-unit-plan'],
      },
    ],
  },
  {
    district: 'riverbend-usd',
    name: 'Riverbend Digital Learning Coach',
    description: 'Certified by Riverbend Unified to coach colleagues in digital learning tools.',
    criteria: 'Complete the district coaching cohort and lead two peer coaching cycles.',
    isteStandards: ['leader', 'facilitator'],
    createdBy: 'luis',
    kind: 'microcredential',
    image: { color: '#1565c0', symbol: 'shield' },
    awards: [
      {
        to: 'maya',
        by: 'luis',
        daysAgo: 20,
        note: 'Thank you for coaching the Willow Creek science team this fall.',
      },
    ],
  },
];

export interface DemoEmbedKey {
  /** The key string; demo keys are fixed so that the embed guide can name them. */
  publicKey: string;
  name: string;
  /** Slug of the owning community, for a community's key. */
  community?: string;
  /** Slug of the owning district, for a district's key. */
  district?: string;
  /** Community slugs the key shows. */
  communities: string[];
  allowedOrigins: string[];
  /** The key's creator: an owner of the community or an admin of the district. */
  createdBy: PersonKey;
}

/** Embed keys for a portal served on this machine at port 8080, as the embed guide does. */
export const DEMO_EMBED_KEYS: DemoEmbedKey[] = [
  {
    publicKey: 'ek_demoMakerspacePortal000000000000',
    name: 'Demo portal on localhost:8080',
    community: 'elementary-makerspace-network',
    communities: ['elementary-makerspace-network'],
    allowedOrigins: ['http://localhost:8080', 'http://127.0.0.1:8080'],
    createdBy: 'facilitator',
  },
  {
    publicKey: 'ek_demoRiverbendPortal0000000000000',
    name: 'Riverbend staff portal on localhost:8080',
    district: 'riverbend-usd',
    communities: ['riverbend-instructional-coaches'],
    allowedOrigins: ['http://localhost:8080', 'http://127.0.0.1:8080'],
    createdBy: 'luis',
  },
];
