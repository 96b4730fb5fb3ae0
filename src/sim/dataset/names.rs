//! Word lists for the generator: names, companies, places, titles, cadences.

#[rustfmt::skip]
pub const FIRST_NAMES: &[&str] = &[
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Christopher", "Lisa", "Daniel", "Nancy", "Matthew", "Betty", "Anthony",
    "Sandra", "Mark", "Margaret", "Donald", "Ashley", "Steven", "Kimberly", "Andrew", "Emily",
    "Paul", "Donna", "Joshua", "Michelle", "Kenneth", "Carol", "Kevin", "Amanda", "Brian",
    "Melissa", "George", "Deborah", "Timothy", "Stephanie", "Ronald", "Rebecca", "Jason", "Sharon",
    "Edward", "Laura", "Jeffrey", "Cynthia", "Ryan", "Amy", "Jacob", "Kathleen", "Gary", "Angela",
    "Nicholas", "Shirley", "Eric", "Brenda", "Jonathan", "Emma", "Stephen", "Anna", "Larry",
    "Pamela", "Justin", "Nicole", "Scott", "Samantha", "Brandon", "Katherine", "Benjamin",
    "Christine", "Samuel", "Helen", "Gregory", "Debra", "Alexander", "Rachel", "Patrick",
    "Carolyn", "Frank", "Janet", "Raymond", "Maria", "Jack", "Olivia", "Dennis", "Heather",
    "Jerry", "Diane", "Tyler", "Julie", "Aaron", "Joyce", "Jose", "Victoria", "Adam", "Ruth",
    "Nathan", "Virginia", "Henry", "Lauren", "Zachary", "Kelly", "Douglas", "Christina", "Peter",
    "Joan", "Kyle", "Evelyn", "Noah", "Judith", "Ethan", "Andrea", "Jeremy", "Hannah", "Priya",
    "Wei", "Aisha", "Mateo", "Sofia", "Lukas", "Ingrid", "Kenji", "Yuki", "Omar", "Fatima", "Raj",
    "Ananya", "Diego", "Camila", "Liam", "Chloe", "Arjun", "Mei", "Sven", "Freya",
];

#[rustfmt::skip]
pub const LAST_NAMES: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
    "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera",
    "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz",
    "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Morales", "Murphy",
    "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey", "Reed",
    "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson", "Brooks", "Chavez",
    "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price", "Alvarez",
    "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez", "Powell",
    "Jenkins", "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler", "Henderson", "Barnes",
    "Fisher", "Vasquez", "Simmons", "Romero", "Jordan", "Patterson", "Alexander", "Hamilton",
    "Graham", "Reynolds", "Griffin", "Wallace", "Moreno", "West", "Cole", "Hayes", "Chen", "Wang",
    "Singh", "Kumar", "Shah", "Tanaka", "Sato", "Muller", "Schmidt", "Larsen", "Johansson",
    "Okafor", "Haddad", "Novak", "Kowalski", "Rossi", "Dubois", "OBrien", "Murray",
];

#[rustfmt::skip]
pub const COMPANY_FIRST: &[&str] = &[
    "Blue", "North", "Bright", "Iron", "Silver", "Summit", "Cedar", "Harbor", "Apex", "Vertex",
    "Quantum", "Pioneer", "Granite", "Evergreen", "Crimson", "Atlas", "Nimbus", "Horizon",
    "Falcon", "Beacon", "Cobalt", "Lumen", "Orbit", "Prairie", "Redwood", "Sterling", "Tidal",
    "Union", "Vivid", "Willow", "Zenith", "Aspen", "Boulder", "Canyon", "Delta", "Echo",
    "Frontier", "Golden", "Helix", "Juniper", "Keystone", "Lighthouse", "Meridian", "Northstar",
];

#[rustfmt::skip]
pub const COMPANY_SECOND: &[&str] = &[
    "Path", "Point", "Wave", "Stone", "Bridge", "Field", "Works", "Grid", "Leaf", "Peak", "Stack",
    "Forge", "Line", "Labs", "Logic", "Sight", "Scale", "Shift", "Flow", "Spring", "Mark", "Gate",
    "Cloud", "Core", "Signal", "Vault", "Ridge", "Port", "Base", "Craft",
];

#[rustfmt::skip]
pub const COMPANY_SUFFIX: &[&str] = &[
    "", "", "", "", "Inc", "Systems", "Analytics", "Health", "Software", "Logistics", "Capital",
    "Group", "Technologies", "Partners", "Energy", "Robotics", "Media", "Security",
];

pub const TLDS: &[&str] = &["com", "com", "com", "com", "io", "co", "net", "ai", "org"];

pub const INDUSTRIES: &[&str] = &[
    "Computer Software",
    "Information Technology and Services",
    "Financial Services",
    "Hospital & Health Care",
    "Marketing and Advertising",
    "Logistics and Supply Chain",
    "Retail",
    "Telecommunications",
    "Insurance",
    "Manufacturing",
    "Higher Education",
    "Real Estate",
    "Internet",
    "Biotechnology",
    "Staffing and Recruiting",
    "Renewables & Environment",
];

/// (city, state, country, area code)
pub const CITIES: &[(&str, &str, &str, &str)] = &[
    ("New York", "NY", "US", "212"),
    ("San Francisco", "CA", "US", "415"),
    ("Los Angeles", "CA", "US", "213"),
    ("Chicago", "IL", "US", "312"),
    ("Austin", "TX", "US", "512"),
    ("Dallas", "TX", "US", "214"),
    ("Atlanta", "GA", "US", "404"),
    ("Boston", "MA", "US", "617"),
    ("Seattle", "WA", "US", "206"),
    ("Denver", "CO", "US", "303"),
    ("Miami", "FL", "US", "305"),
    ("Phoenix", "AZ", "US", "602"),
    ("Minneapolis", "MN", "US", "612"),
    ("Raleigh", "NC", "US", "919"),
    ("Nashville", "TN", "US", "615"),
    ("Salt Lake City", "UT", "US", "801"),
    ("Portland", "OR", "US", "503"),
    ("Toronto", "ON", "CA", "416"),
    ("Vancouver", "BC", "CA", "604"),
    ("London", "England", "GB", "20"),
    ("Manchester", "England", "GB", "161"),
    ("Dublin", "Dublin", "IE", "1"),
    ("Berlin", "Berlin", "DE", "30"),
    ("Munich", "Bavaria", "DE", "89"),
    ("Paris", "Ile-de-France", "FR", "1"),
    ("Amsterdam", "North Holland", "NL", "20"),
    ("Stockholm", "Stockholm", "SE", "8"),
    ("Sydney", "NSW", "AU", "2"),
];

/// (title, job_seniority)
pub const TITLES: &[(&str, Option<&str>)] = &[
    ("Chief Executive Officer", Some("executive")),
    ("Chief Revenue Officer", Some("executive")),
    ("Chief Technology Officer", Some("executive")),
    ("CFO", Some("executive")),
    ("VP of Sales", Some("vice_president")),
    ("VP of Marketing", Some("vice_president")),
    ("VP Engineering", Some("vice_president")),
    ("VP, Revenue Operations", Some("vice_president")),
    ("Director of Sales", Some("director")),
    ("Director of Demand Generation", Some("director")),
    ("Director of IT", Some("director")),
    ("Director, Procurement", Some("director")),
    ("Sales Manager", Some("manager")),
    ("Marketing Manager", Some("manager")),
    ("Engineering Manager", Some("manager")),
    ("Operations Manager", Some("manager")),
    ("Account Executive", Some("individual_contributor")),
    ("Software Engineer", Some("individual_contributor")),
    ("Marketing Specialist", Some("individual_contributor")),
    ("Data Analyst", Some("individual_contributor")),
    (
        "Sales Development Representative",
        Some("individual_contributor"),
    ),
    ("Consultant", Some("unknown")),
    ("Head of Growth", Some("unknown")),
    ("Founder", None),
];

pub const PERSON_TAGS: &[&str] = &[
    "Hot Lead",
    "SaaStr 2024",
    "Webinar Attendee",
    "Enterprise",
    "Mid-Market",
    "Champion",
    "Closed Lost",
    "Free Trial",
];

/// (cadence name, cadence_function)
pub const CADENCES: &[(&str, &str)] = &[
    ("Q3 Enterprise Outbound", "outbound"),
    ("Webinar Follow-up", "event"),
    ("Inbound Demo Request", "inbound"),
    ("Mid-Market Cold Outreach", "outbound"),
    ("Free Trial Nurture", "inbound"),
    ("SaaStr Booth Follow-up", "event"),
    ("Closed Lost Re-engagement", "outbound"),
    ("VP Sales Persona - Tier 1", "outbound"),
    ("Content Download Follow-up", "inbound"),
    ("Customer Expansion - Upsell", "other"),
    ("Renewal Check-in", "other"),
    ("Dreamforce Meetings", "event"),
    ("CFO Value Prop", "outbound"),
    ("SMB Quick Touch", "outbound"),
    ("Pricing Page Visitors", "inbound"),
    ("Partner Referral Intro", "other"),
    ("Q4 Strategic Accounts", "outbound"),
    ("Event No-Show", "event"),
    ("Product Launch Announcement", "other"),
    ("Competitive Displacement", "outbound"),
    ("Healthcare Vertical Outbound", "outbound"),
    ("FinServ ABM Sequence", "outbound"),
    ("Inbound Contact Us", "inbound"),
    ("Roundtable Dinner Invite", "event"),
    ("Churned Customer Win-back", "outbound"),
    ("Onboarding Kickoff", "other"),
    ("EMEA Outbound - DACH", "outbound"),
    ("Job Change Alerts", "outbound"),
    ("Trade Show Pre-Event", "event"),
    ("Hand-raiser Fast Track", "inbound"),
    ("Executive Sponsor Outreach", "outbound"),
    ("Referral Ask", "other"),
];

pub const EMAIL_STEP_NAMES: &[&str] = &[
    "Intro Email",
    "Value Prop",
    "Case Study",
    "Quick Bump",
    "Social Proof",
    "ROI Calculator",
    "Breakup Email",
    "VP Email Short",
    "Customer Story",
    "Meeting Request",
];

pub const PHONE_STEP_NAMES: &[&str] = &[
    "Intro Call",
    "Follow-up Call",
    "Voicemail Drop",
    "Final Call Attempt",
];

pub const OTHER_STEP_NAMES: &[&str] = &[
    "LinkedIn Connect",
    "LinkedIn InMail",
    "Send Gift",
    "Research Account",
];

pub const USER_ROLES: &[&str] = &[
    "SDR / BDR",
    "SDR / BDR",
    "Account Executive / Account Manager",
    "Account Executive / Account Manager",
    "Sales Manager",
    "Customer Success",
];

pub const CADENCE_TAGS: &[&str] = &["q3", "enterprise", "smb", "events", "nurture", "opt-out"];

pub const CALL_DISPOSITIONS: &[&str] = &[
    "Connected",
    "No Answer",
    "Left Voicemail",
    "Busy",
    "Wrong Number",
];

pub const CALL_SENTIMENTS: &[&str] = &[
    "Interested",
    "Not Interested",
    "Demo Scheduled",
    "Follow-up",
    "Customer",
];
