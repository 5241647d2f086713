"""Demo content for a development portal: every program area, its pages, highlights, documents.

Plain data, loaded by ``services.demo_content_load``. Lists are in display order (the loader
numbers them 10, 20, 30, ...). Everything is published on PUBLISH_AT unless a dict says
``"status": "draft"``. Pages nest through ``"children"``; documents name their pages as
``"area-slug/page-slug"``. Bodies are Markdown and start at level-two headings, because the
page title is the level-one heading. The text is our own words; the facts and figures are
the programs' published ones.
"""

from datetime import datetime
from inspect import cleandoc as md
from zoneinfo import ZoneInfo

PUBLISH_AT = datetime(2025, 1, 15, 9, 0, tzinfo=ZoneInfo("America/Chicago"))

PEER_SUPPORT_LINE = "[816-701-8212](tel:+18167018212)"

AREAS = [
    {
        "slug": "public-safety-communications",
        "title": "Public Safety Communications",
        "summary": (
            "Regional 911: MARC keeps the shared 911 and emergency radio systems of the Kansas "
            "City region running and improving, and trains and supports the telecommunicators "
            "who answer and dispatch emergency calls."
        ),
        "body": md(
            """
            When someone in the nine-county Kansas City region dials 911, the call reaches one
            of many local answering points that share a single regional system. MARC looks after
            that shared system and the interoperable radio network that lets agencies talk to
            each other across city, county and state lines.

            ## What the program does

            - Plans and coordinates upgrades to the regional 911 system, including the move to
              Next Generation 911.
            - Keeps the radio systems of neighboring agencies able to work together.
            - Trains dispatchers and call-takers, and supports their wellbeing through peer
              support and wellness tools.
            - Helps local governments study how their dispatch centers work and could work
              together.
            """
        ),
        "contact_name": "Public Safety Communications staff",
        "contact_email": "regional911@marc.org",
        "contact_phone": "816-555-0110",
        "pages": [
            {
                "slug": "911-peer-support",
                "title": "911 Peer Support",
                "summary": (
                    "A confidential, peer-based team that supports dispatchers, call-takers and "
                    "command staff through personal or on-the-job crises. The Peer Support Line "
                    "answers around the clock at 816-701-8212."
                ),
                "contact_name": "24-hour Peer Support Line",
                "contact_phone": "816-701-8212",
                "body": md(
                    f"""
                    ## Need to talk now?

                    Call the Peer Support Line at {PEER_SUPPORT_LINE}. Someone answers
                    24 hours a day, every day.

                    To have the team reach out to you or your center, for a group
                    debriefing or a one-to-one talk,
                    [ask the peer support team for help](/peer-support/request/).
                    The short form never asks what happened.

                    ## What peer support is

                    Emergency communications work means hearing people on their worst days.
                    Peer support pairs 911 professionals with trained colleagues who understand
                    that work from the inside. A roving team of 52 peers from across the region
                    offers emotional support during and after a hard call, a hard shift or a
                    hard stretch of life, and points people to professional help or other
                    resources when that is what they need.

                    Every team member completes more than 40 hours of specialized training in
                    helping dispatchers and commanders handle stress.

                    ## How the team responds

                    - **Group debriefings** at a 911 center (public safety answering point)
                      after a traumatic event, such as a death, a suicide or an officer-involved
                      shooting.
                    - **One-on-one contact** with a peer, in person or over the phone.

                    ## Who can ask for support

                    Anyone employed by a department in the MARC region may ask. Requests from
                    agencies outside the region are welcome too, but need approval in advance.

                    ## What stays confidential

                    Trust is the foundation of this program. What you tell a peer stays with
                    that peer. There are only three exceptions:

                    1. you disclose criminal activity;
                    2. you, or someone else, are in danger;
                    3. you ask the peer to share something.

                    ## Finding a team member

                    The current team roster is kept on the 911 intranet, available at your
                    console. It is not published on this public site.
                    """
                ),
                "children": [
                    {
                        "slug": "command-level-peer-support",
                        "title": "Command Level Peer Support",
                        "summary": (
                            "Sixty-six commanders from fire, EMS, law enforcement and dispatch "
                            "who respond to critical incidents and support the leaders in "
                            "charge of them."
                        ),
                        "body": md(
                            f"""
                            Leaders carry the weight of a critical incident too, often while
                            still making decisions for everyone else. The command-level team
                            exists for them.

                            ## Who is on the team

                            The team has 66 commanders drawn from fire, emergency medical
                            services, law enforcement and dispatch. Because they come from
                            different disciplines, they can support command staff from any
                            agency involved in an incident.

                            ## What they do

                            Command-level peers respond to critical incidents and offer support
                            to the people leading the response, during the event and afterward.
                            The same confidentiality promise applies as for all peer support.

                            To reach the team, call the Peer Support Line at
                            {PEER_SUPPORT_LINE}, day or night.
                            """
                        ),
                    },
                ],
            },
            {
                "slug": "911-training",
                "title": "911 Training",
                "summary": (
                    "Online and classroom courses for the region's 911 professionals. In 2024, "
                    "850 dispatchers took part, with courses on wellness, active shooter "
                    "response, leadership and crisis intervention."
                ),
                "body": md(
                    """
                    MARC offers training to telecommunicators across the region, both online
                    and in person, so that every 911 center can keep its staff current without
                    building a training program of its own.

                    Upcoming courses, and how to register for them, are on the
                    [training calendar](/calendar/).

                    ## 2024 in numbers

                    850 dispatchers completed MARC 911 training in 2024.

                    ## Topics

                    - Wellness and resilience
                    - Responding to an active shooter
                    - Leadership for supervisors and future supervisors
                    - Crisis intervention team skills

                    ## Continuing education

                    Missouri telecommunicators need 24 hours of continuing education in each
                    three-year cycle; the current cycle ends December 31, 2026. Each course
                    counts one credit hour per 50 minutes attended. Kansas has no state
                    requirement. Your courses, credit hours and certificates are in your
                    [training history](/training/history/).
                    """
                ),
            },
            {
                "slug": "ng911-readiness",
                "title": "Next Generation 911 readiness",
                "summary": (
                    "Preparing the region for Next Generation 911, which routes each call by "
                    "the caller's location, through accurate GIS address data and updated "
                    "maps and aerial imagery for dispatchers."
                ),
                "body": md(
                    """
                    Today a wireless 911 call is routed by the cell tower that carries it, which
                    is not always the tower nearest the 911 center that serves the caller. Next
                    Generation 911 (NG911) routes calls by the caller's actual location instead.

                    ## Address data that dispatchers can trust

                    Location-based routing is only as good as the map behind it. MARC brings
                    together the local government staff who maintain GIS data so that street
                    centerlines, address points and boundaries stay accurate and consistent
                    from one jurisdiction to the next.

                    ## Maps and imagery in the dispatch center

                    MARC also coordinated an update of the regional mapping software and a
                    refresh of aerial imagery, so dispatchers can find callers faster.
                    """
                ),
            },
            {
                "slug": "automatic-call-back",
                "title": "Automatic call-back for Kansas City, Missouri, police",
                "summary": (
                    "At the request of the Kansas City, Missouri, Police Department, MARC added "
                    "an automatic call-back feature, and an optional auto-attendant, to the "
                    "city's emergency communications center."
                ),
                "body": md(
                    """
                    The Kansas City, Missouri, Police Department asked MARC for a way to reach
                    callers again automatically, for example when a 911 call drops before the
                    caller can be helped.

                    ## What was delivered

                    - **Automatic call-back** for the city's emergency communications center.
                    - **An auto-attendant**, which the city may switch on when and how it
                      chooses.
                    """
                ),
            },
            {
                "slug": "aed-registry-pulsepoint",
                "title": "AED registry on PulsePoint",
                "summary": (
                    "The region's registry of automated external defibrillators now lives in "
                    "PulsePoint, an app that alerts CPR-trained people to a nearby cardiac "
                    "arrest and shows where public AEDs are."
                ),
                "body": md(
                    """
                    MARC moved the regional registry of automated external defibrillators
                    (AEDs) to PulsePoint, a free mobile app.

                    ## How it helps

                    - People trained in CPR who use the app can be alerted when someone nearby
                      goes into sudden cardiac arrest in a public place.
                    - Anyone can use the app to find the closest public AED.

                    ## Register your AED

                    If your business or organization has an AED, add it to PulsePoint so
                    dispatchers and bystanders know it is there.
                    """
                ),
            },
            {
                "slug": "mindbase-wellness-pilot",
                "title": "Mindbase wellness pilot",
                "summary": (
                    "A pilot of Mindbase, a wellness platform for 911 call-takers that pairs a "
                    "dashboard of critical-call exposure with an app for self-care, training "
                    "and access to peers and clinicians."
                ),
                "body": md(
                    """
                    In 2024 MARC began piloting Mindbase to look after the mental health of the
                    people who answer 911 calls.

                    ## Two parts

                    - **A dashboard** that uses call data to show how often staff are exposed to
                      critical events and traumatic calls, so centers can spot strain early.
                    - **An app** with clinically validated material, wellness training and
                      self-checks, plus a way to connect with peer teams and with clinicians
                      who understand the culture of emergency work.
                    """
                ),
            },
            {
                "slug": "jackson-county-dispatch-needs-assessment",
                "title": "Jackson County dispatch needs assessment",
                "summary": (
                    "A feasibility study, coordinated by MARC, of whether 911 dispatch in "
                    "Jackson County, Missouri, could be regionalized, and how its agencies "
                    "could share data and work together better."
                ),
                "body": md(
                    """
                    Jackson County, Missouri, decided to look at whether its 911 dispatch
                    services could be regionalized. MARC ran the request for proposals and
                    then supported the consultant chosen to carry out the study.

                    ## What the study covered

                    - How dispatch works in the county today.
                    - A comparison of the county's 911 call centers.
                    - Staffing needs.
                    - Options for agencies to share more data and to dispatch together more
                      smoothly.
                    """
                ),
            },
            {
                "slug": "co-responder-program",
                "title": "Eastern Jackson County Co-Responder Program",
                "summary": (
                    "Behavioral health clinicians work alongside police officers in eastern "
                    "Jackson County, Missouri, on 911 calls involving mental health, substance "
                    "use or a related crisis."
                ),
                "contact_name": "Co-Responder Program staff",
                "contact_email": "coresponder@marc.org",
                "body": md(
                    """
                    Some 911 calls are not about a crime at all but about a person in a
                    mental health or substance use crisis. In eastern Jackson County, Missouri,
                    clinicians go out on those calls together with police officers, so that the
                    person can be linked to care and, where possible, kept out of the criminal
                    justice system.

                    ## Partners

                    - Two community behavioral health centers: **ReDiscover** and **Burrell
                      Behavioral Health**.
                    - Five police departments: **Blue Springs, Grandview, Independence,
                      Lee's Summit and Raytown**.
                    - A floating co-responder who serves the smaller communities of
                      **Buckner, Grain Valley and Oak Grove**.
                    - **MARC**, which administers the federal grant, convenes the partners and
                      standardizes how data is collected.

                    The grant comes from the Bureau of Justice Assistance through its Justice
                    and Mental Health Collaboration Program. The current award of $550,000
                    funds nine co-responders.

                    ## The program's figures

                    The program publishes its figures once a year, after the year has ended
                    and its records are complete: mental-health calls, assessments by
                    clinicians, encounters linked to services and arrests or custody avoided.
                    See [the co-responder program figures](/co-responder/).

                    ## What officers say

                    A survey of officers in the participating departments drew 107 responses:
                    83% said co-responders help them in their own role, and 88% would recommend
                    co-responders to other officers or departments.

                    ## Goals through 2026

                    1. The same data collection and response protocols at every partner.
                    2. Yearly training for co-responders and for more police officers.
                    3. A model that other communities in the region can copy.

                    ## About the numbers

                    Only totals are published here. Records about individual people are health
                    information and never appear on this site.
                    """
                ),
            },
        ],
    },
    {
        "slug": "hazardous-materials",
        "title": "Hazardous Materials",
        "summary": (
            "The Local Emergency Planning Committee works to lower the region's risk from "
            "accidents involving hazardous chemicals, through planning, training, exercises "
            "and public education."
        ),
        "body": md(
            """
            Chemicals are stored, used and transported throughout the region every day. The
            Local Emergency Planning Committee (LEPC) brings responders, industry and local
            government together so that a chemical accident, if it happens, is handled quickly
            and safely.
            """
        ),
        "contact_name": "LEPC staff",
        "contact_email": "lepc@marc.org",
        "contact_phone": "816-555-0120",
        "pages": [
            {
                "slug": "local-emergency-planning-committee",
                "title": "Local Emergency Planning Committee",
                "summary": (
                    "Who the LEPC is and how it prepares the region for chemical accidents: "
                    "shared plans, training for responders, exercises and outreach to the "
                    "public."
                ),
                "body": md(
                    """
                    ## Planning

                    The committee keeps a regional hazardous materials emergency plan, so that
                    fire departments, emergency managers and facilities know their roles before
                    an incident.

                    ## Training

                    Responders can take hazardous materials courses arranged through the
                    committee.

                    ## Exercises

                    Exercises test the plan with the people who would carry it out, and show
                    what needs to change.

                    ## Public education

                    The committee helps residents understand chemical risks near them and what
                    to do if they are told to shelter in place or leave the area.
                    """
                ),
            },
            {
                "slug": "chemical-accident-guide-draft",
                "title": "DRAFT: What to do in a chemical accident",
                "status": "draft",
                "summary": "Draft, not reviewed. A short guide for residents, still being written.",
                "body": md(
                    """
                    **Draft. Not for publication.** This page is a work in progress and is not
                    shown on the public site until an editor publishes it.

                    ## Outline

                    - How you would be warned
                    - Sheltering in place
                    - Leaving the area
                    """
                ),
            },
        ],
    },
    {
        "slug": "emergency-services",
        "title": "Emergency Services and Homeland Security",
        "summary": (
            "MARC helps the region's emergency services protect, prepare, respond and "
            "recover, through regional committees that train, exercise and plan together."
        ),
        "body": md(
            """
            No single city or county can prepare for every threat alone. MARC supports
            regional committees where emergency managers, fire, EMS, law enforcement and
            public health plan together, share training and test their plans in exercises.
            """
        ),
        "contact_name": "Emergency Services staff",
        "contact_email": "emergencyservices@marc.org",
        "contact_phone": "816-555-0130",
        "pages": [
            {
                "slug": "regional-homeland-security-coordinating-committee",
                "title": "Regional Homeland Security Coordinating Committee",
                "summary": (
                    "The committee that organizes regional training and exercises for all "
                    "threats. In 2024 it hosted 65 trainings and 12 exercises."
                ),
                "body": md(
                    """
                    The Regional Homeland Security Coordinating Committee helps emergency
                    services agencies get ready for every kind of threat, from severe weather
                    to deliberate attacks.

                    ## 2024

                    - 65 trainings
                    - 12 exercises
                    """
                ),
            },
            {
                "slug": "metropolitan-emergency-managers-committee",
                "title": "Metropolitan Emergency Managers Committee",
                "summary": (
                    "Emergency managers from across the region, who led the update of the "
                    "five-county Regional Hazard Mitigation Plan in Missouri."
                ),
                "body": md(
                    """
                    The Metropolitan Emergency Managers Committee is where local emergency
                    managers coordinate their work.

                    ## Hazard mitigation

                    The committee led the update of the Regional Hazard Mitigation Plan for five
                    Missouri counties. The plan looks at the natural hazards the region faces
                    and lists projects that reduce the harm they can do.
                    """
                ),
            },
            {
                "slug": "emergency-rescue-committee",
                "title": "Emergency Rescue Committee",
                "summary": (
                    "The committee that helped the region's EMS agencies build the capacity to "
                    "offer community paramedic services."
                ),
                "body": md(
                    """
                    The MARC Emergency Rescue Committee brings the region's emergency medical
                    services together.

                    ## Community paramedics

                    The committee developed the capacity for regional EMS agencies to offer
                    community paramedic services, in which paramedics see patients outside of
                    emergencies, for example to check on them at home.
                    """
                ),
            },
            {
                "slug": "fifa-world-cup-2026",
                "title": "FIFA World Cup 2026 planning",
                "summary": (
                    "Getting the region ready to host FIFA World Cup 2026 matches: a briefing "
                    "for elected officials and ongoing regional coordination of safety, "
                    "security and transportation."
                ),
                "body": md(
                    """
                    Kansas City is a host city for the 2026 FIFA World Cup. Together with the
                    Greater Kansas City Chamber of Commerce and KC 2026, MARC co-hosted a
                    briefing to help elected officials prepare.

                    ## Ongoing work

                    MARC committees keep supporting regional cooperation on:

                    - public safety and security;
                    - transportation to and from event venues;
                    - sharing information about tourism events.
                    """
                ),
            },
        ],
    },
    {
        "slug": "health-and-medical",
        "title": "Health and Medical",
        "summary": (
            "MARC coordinates how the region's health care and medical partners prepare for "
            "and respond to health and medical emergencies."
        ),
        "body": md(
            """
            A large emergency can fill hospital beds and use up supplies quickly. MARC helps
            health and medical partners plan together so that patients keep getting care when
            the system is under pressure.
            """
        ),
        "contact_name": "Health and Medical Preparedness staff",
        "contact_email": "healthcarecoalition@marc.org",
        "contact_phone": "816-555-0140",
        "pages": [
            {
                "slug": "health-care-coalition",
                "title": "Health Care Coalition",
                "summary": (
                    "Health care organizations that prepare and respond together, backed by a "
                    "resource-sharing agreement among 22 agencies."
                ),
                "body": md(
                    """
                    The Health Care Coalition brings the region's health care organizations
                    together to get ready for, and respond to, incidents of many kinds.

                    ## Sharing resources

                    Twenty-two agencies have signed an agreement to share resources with one
                    another when one of them runs short. The agreement acts as a safety net,
                    and the coalition kept putting it into practice in 2024.
                    """
                ),
            },
        ],
    },
    {
        "slug": "emergency-plans",
        "title": "Emergency Services Plans",
        "summary": (
            "Regional emergency plans that MARC coordinates with local governments, public "
            "safety and emergency service agencies, and regional committees."
        ),
        "body": md(
            """
            Plans work best when the people who will use them write them. MARC coordinates
            regional plans with local governments, public safety and emergency service
            agencies, and the region's committees, and keeps them current.
            """
        ),
        "contact_name": "Emergency Services staff",
        "contact_email": "emergencyservices@marc.org",
        "contact_phone": "816-555-0130",
        "pages": [
            {
                "slug": "regional-plans",
                "title": "Regional emergency plans",
                "summary": (
                    "The regional plans MARC helps prepare and maintain, and how each one is "
                    "written with its partners."
                ),
                "body": md(
                    """
                    ## Plans on this site

                    - **Regional Hazard Mitigation Plan**: how the region reduces the damage
                      natural hazards can do.
                    - **Hazardous Materials Emergency Plan**: the Local Emergency Planning
                      Committee's plan for chemical accidents.
                    - **Regional Emergency Operations coordination plan**: how agencies work
                      together when an emergency crosses jurisdictions.

                    Download them from the documents list on this page.
                    """
                ),
                "children": [
                    {
                        "slug": "regional-hazard-mitigation-plan",
                        "title": "Regional Hazard Mitigation Plan",
                        "summary": (
                            "The five-county Missouri plan for reducing the harm natural hazards "
                            "can do, updated under the Metropolitan Emergency Managers "
                            "Committee."
                        ),
                        "body": md(
                            """
                            Hazard mitigation means acting before a disaster to make it less
                            damaging when it comes.

                            ## The update

                            The Metropolitan Emergency Managers Committee led the update of
                            this plan for five counties in Missouri. A summary is available to
                            download.
                            """
                        ),
                    },
                ],
            },
        ],
    },
    {
        "slug": "be-prepared",
        "title": "Be Prepared",
        "summary": (
            "PrepareMetroKC: everyone can get ready for an emergency. Build a supply kit, make "
            "a family plan and know how you will hear about danger."
        ),
        "body": md(
            """
            Emergency services do their best work when residents are ready too. Three steps,
            taken once and checked each year, make a real difference for your household.
            """
        ),
        "contact_name": "PrepareMetroKC",
        "contact_email": "preparemetrokc@marc.org",
        "pages": [
            {
                "slug": "kit",
                "title": "Build an emergency supply kit",
                "summary": (
                    "What to keep at home so your household can manage on its own for at "
                    "least three days."
                ),
                "body": md(
                    """
                    After a storm or a power outage, help may take time to arrive. A kit lets
                    you manage on your own for at least three days.

                    ## The basics

                    - Water: one gallon per person per day
                    - Food that needs no cooking or refrigeration, and a manual can opener
                    - A flashlight, a battery-powered or hand-crank radio, and spare batteries
                    - A first aid kit and a week's supply of any medicines
                    - Copies of important papers in a waterproof bag
                    - Phone chargers and a power bank

                    ## Remember everyone

                    Add what babies, older relatives and pets need. Check the kit twice a year
                    and replace anything that has expired.
                    """
                ),
            },
            {
                "slug": "family-plan",
                "title": "Make a family emergency plan",
                "summary": (
                    "Agree in advance how your household will get in touch, where you will "
                    "meet and who picks up whom."
                ),
                "body": md(
                    """
                    In an emergency, family members may be at work, at school or on the road.
                    A plan agreed ahead of time saves worry and time.

                    ## Decide together

                    - One contact person outside the area whom everyone calls or texts.
                    - A meeting place near home and one outside your neighborhood.
                    - Who collects the children, and who checks on neighbors or relatives who
                      need help.
                    - How you would leave home, and where you would shelter inside it.

                    ## Write it down

                    Use the family emergency plan worksheet on this page, give everyone a copy
                    and practice the plan once a year.
                    """
                ),
            },
            {
                "slug": "stay-informed",
                "title": "Stay informed",
                "summary": (
                    "Know how warnings reach you, and have more than one way to receive them."
                ),
                "body": md(
                    """
                    A warning only helps if it reaches you in time.

                    ## Ways to get alerts

                    - Sign up for the emergency alerts your city or county offers.
                    - Keep Wireless Emergency Alerts switched on in your phone's settings.
                    - Keep a battery-powered weather radio at home.
                    - Follow local news and your local government's official accounts.

                    ## Outdoor sirens

                    Outdoor warning sirens are meant for people outdoors. Indoors, rely on a
                    weather radio or a phone alert.
                    """
                ),
            },
        ],
    },
]

HIGHLIGHTS = [
    {
        "year": 2024,
        "slug": "fifa-world-cup-2026-planning",
        "title": "FIFA World Cup 2026 planning",
        "area": "emergency-services",
        "summary": md(
            """
            With the Greater Kansas City Chamber of Commerce and KC 2026, MARC co-hosted a
            briefing for elected officials on getting ready for the 2026 World Cup. MARC
            committees continue to coordinate public safety and security, transportation to
            venues and information sharing for tourism events.
            """
        ),
        "figures": [],
    },
    {
        "year": 2024,
        "slug": "co-responder-program",
        "title": "Co-Responder Program",
        "area": "public-safety-communications",
        "summary": md(
            """
            In eastern Jackson County, Missouri, behavioral health clinicians from two centers
            go out with police officers on 911 calls about mental health or substance use.
            MARC convenes the partners and standardizes their data.
            """
        ),
        # No figures typed here: the highlight shows those of the program's latest release
        # (programs.figure_sources, registered in marc_safety.views), as /co-responder/ does.
        "figures": [],
    },
    {
        "year": 2024,
        "slug": "emergency-preparedness",
        "title": "Emergency preparedness and coordinated response",
        "area": "emergency-services",
        "summary": md(
            """
            Regional committees trained and exercised for all threats, the Health Care
            Coalition kept building its resource-sharing safety net, emergency managers
            updated a five-county hazard mitigation plan in Missouri, and EMS agencies gained
            the capacity to offer community paramedic services.
            """
        ),
        "figures": [
            ("65", "trainings"),
            ("12", "exercises"),
            ("22", "agencies sharing resources"),
        ],
    },
    {
        "year": 2024,
        "slug": "911-technology-upgrades",
        "title": "911 technology upgrades",
        "area": "public-safety-communications",
        "summary": md(
            """
            The region prepared for Next Generation 911 with work on GIS address accuracy,
            updated dispatch maps and fresh aerial imagery. Kansas City, Missouri, police
            gained automatic call-back, and the regional AED registry moved to PulsePoint.
            """
        ),
        "figures": [],
    },
    {
        "year": 2024,
        "slug": "911-training",
        "title": "911 training",
        "area": "public-safety-communications",
        "summary": md(
            """
            Online and classroom courses on wellness, active shooter response, leadership and
            crisis intervention, plus a pilot of the Mindbase wellness platform for
            call-takers.
            """
        ),
        "figures": [("850", "dispatchers trained")],
    },
    {
        "year": 2024,
        "slug": "dispatch-needs-assessment",
        "title": "Dispatch needs assessment",
        "area": "public-safety-communications",
        "summary": md(
            """
            MARC ran the selection of a consultant and supported a feasibility study of
            regional 911 dispatch for Jackson County, Missouri, covering call centers,
            staffing and options for sharing data.
            """
        ),
        "figures": [],
    },
]

DOCUMENTS = [
    {
        "slug": "regional-hazard-mitigation-plan-summary",
        "title": "Regional Hazard Mitigation Plan (summary)",
        "kind": "plan",
        "area": "emergency-plans",
        "pages": [
            "emergency-plans/regional-hazard-mitigation-plan",
            "emergency-services/metropolitan-emergency-managers-committee",
        ],
        "description": (
            "A short overview of the five-county Missouri hazard mitigation plan: the hazards "
            "it considers and the kinds of projects it proposes."
        ),
    },
    {
        "slug": "lepc-hazardous-materials-emergency-plan",
        "title": "LEPC Hazardous Materials Emergency Plan",
        "kind": "plan",
        "area": "hazardous-materials",
        "pages": ["hazardous-materials/local-emergency-planning-committee"],
        "description": (
            "The Local Emergency Planning Committee's plan for responding to accidents "
            "involving hazardous chemicals."
        ),
    },
    {
        "slug": "regional-emergency-operations-coordination-plan",
        "title": "Regional Emergency Operations coordination plan",
        "kind": "plan",
        "area": "emergency-plans",
        "pages": ["emergency-plans/regional-plans"],
        "description": (
            "How local agencies coordinate their operations when an emergency reaches across "
            "city and county lines."
        ),
    },
    {
        "slug": "family-emergency-plan-worksheet",
        "title": "Family emergency plan worksheet",
        "kind": "guide",
        "area": "be-prepared",
        "pages": ["be-prepared/family-plan"],
        "description": (
            "A fill-in worksheet for your household's contacts, meeting places and "
            "responsibilities in an emergency."
        ),
    },
    {
        "slug": "2024-safety-highlights",
        "title": "2024 annual safety highlights",
        "kind": "report",
        "area": "emergency-services",
        "pages": [],
        "description": (
            "A year in review of MARC's public safety programs in 2024, from 911 training to "
            "the Co-Responder Program."
        ),
    },
]
