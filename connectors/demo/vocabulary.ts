/*
 * Codes and descriptions as Synthea writes them (SNOMED CT, RxNorm, LOINC, CVX), so analysts who
 * know Synthea recognise the demo data. Costs are in USD, in Synthea's ranges.
 */

export interface Chronic {
  key: string;
  code: string;
  description: string;
  /** Yearly chance of onset for a person of `age`. */
  onset: (age: number) => number;
  meds: ReadonlyArray<readonly [code: string, description: string, baseCost: number]>;
  careplan?: readonly [code: string, description: string];
  /** Extra yearly inpatient admissions the condition brings. */
  admissions: number;
  labs: readonly string[];
}

export const CHRONIC: readonly Chronic[] = [
  {
    key: 'hypertension',
    code: '59621000',
    description: 'Essential hypertension (disorder)',
    onset: (a) => (a < 25 ? 0 : Math.min(0.04, 0.0008 * (a - 20))),
    meds: [
      ['314076', 'lisinopril 10 MG Oral Tablet', 12.48],
      ['197361', 'amlodipine 5 MG Oral Tablet', 14.69],
      ['310798', 'Hydrochlorothiazide 25 MG Oral Tablet', 8.75],
    ],
    careplan: ['443402002', 'Lifestyle education regarding hypertension (procedure)'],
    admissions: 0.01,
    labs: [],
  },
  {
    key: 'diabetes',
    code: '44054006',
    description: 'Diabetes mellitus type 2 (disorder)',
    onset: (a) => (a < 30 ? 0.0005 : Math.min(0.012, 0.0003 * (a - 25))),
    meds: [
      ['860975', '24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet', 26.32],
      [
        '106892',
        'insulin isophane  human 70 UNT/ML / insulin  regular  human 30 UNT/ML Injectable Suspension [Humulin]',
        224.9,
      ],
    ],
    careplan: ['698360004', 'Diabetes self management plan'],
    admissions: 0.03,
    labs: ['4548-4', '2339-0'],
  },
  {
    key: 'hyperlipidemia',
    code: '55822004',
    description: 'Hyperlipidemia (disorder)',
    onset: (a) => (a < 30 ? 0 : Math.min(0.02, 0.0005 * (a - 28))),
    meds: [
      ['314231', 'Simvastatin 10 MG Oral Tablet', 9.24],
      ['259255', 'atorvastatin 80 MG Oral Tablet', 33.6],
    ],
    admissions: 0,
    labs: ['2093-3', '2571-8', '18262-6', '2085-9'],
  },
  {
    key: 'asthma',
    code: '195967001',
    description: 'Asthma (disorder)',
    onset: (a) => (a < 18 ? 0.006 : 0.0015),
    meds: [
      ['895994', '120 ACTUAT Fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler', 92.46],
      ['2123111', 'NDA020503 200 ACTUAT Albuterol 0.09 MG/ACTUAT Metered Dose Inhaler', 42.1],
    ],
    careplan: ['699728000', 'Asthma self management'],
    admissions: 0.02,
    labs: [],
  },
  {
    key: 'copd',
    code: '185086009',
    description: 'Chronic obstructive bronchitis (disorder)',
    onset: (a) => (a < 40 ? 0 : 0.003),
    meds: [['2123111', 'NDA020503 200 ACTUAT Albuterol 0.09 MG/ACTUAT Metered Dose Inhaler', 42.1]],
    careplan: ['53950000', 'Respiratory therapy'],
    admissions: 0.25,
    labs: [],
  },
  {
    key: 'chf',
    code: '88805009',
    description: 'Chronic congestive heart failure (disorder)',
    onset: (a) => (a < 55 ? 0 : 0.0025 + 0.0002 * (a - 55)),
    meds: [
      ['866414', '24 HR Metoprolol Succinate 100 MG Extended Release Oral Tablet', 18.37],
      ['313988', 'Furosemide 40 MG Oral Tablet', 6.12],
    ],
    careplan: ['735984001', 'Heart failure self management plan (record artifact)'],
    admissions: 0.45,
    labs: [],
  },
  {
    key: 'ckd',
    code: '431855005',
    description: 'Chronic kidney disease stage 1 (disorder)',
    onset: (a) => (a < 50 ? 0 : 0.003),
    meds: [],
    admissions: 0.08,
    labs: ['33914-3'],
  },
  {
    key: 'depression',
    code: '370143000',
    description: 'Major depressive disorder (disorder)',
    onset: (a) => (a < 14 ? 0 : 0.006),
    meds: [['312938', 'Sertraline 100 MG Oral Tablet', 17.9]],
    admissions: 0.01,
    labs: [],
  },
  {
    key: 'afib',
    code: '49436004',
    description: 'Atrial fibrillation (disorder)',
    onset: (a) => (a < 60 ? 0 : 0.004),
    meds: [
      ['855332', 'Warfarin Sodium 5 MG Oral Tablet', 11.8],
      ['1364430', 'apixaban 2.5 MG Oral Tablet', 265.2],
    ],
    admissions: 0.12,
    labs: [],
  },
  {
    key: 'obesity',
    code: '162864005',
    description: 'Body mass index 30+ - obesity (finding)',
    onset: (a) => (a < 18 ? 0.002 : 0.012),
    meds: [],
    admissions: 0,
    labs: [],
  },
];

/** Acute problems: [SNOMED code, description, medication (RxNorm) or null, procedure or null]. */
export const ACUTE: ReadonlyArray<
  readonly [
    code: string,
    description: string,
    med: readonly [string, string, number] | null,
    procedure: readonly [string, string] | null,
    weight: number,
  ]
> = [
  ['444814009', 'Viral sinusitis (disorder)', null, null, 30],
  ['10509002', 'Acute bronchitis (disorder)', ['313782', 'Acetaminophen 325 MG Oral Tablet', 6.9], null, 14],
  [
    '195662009',
    'Acute viral pharyngitis (disorder)',
    ['198405', 'Ibuprofen 100 MG Oral Tablet', 5.2],
    null,
    14,
  ],
  [
    '43878008',
    'Streptococcal sore throat (disorder)',
    ['834061', 'Penicillin V Potassium 250 MG Oral Tablet', 13.4],
    ['117015009', 'Throat culture (procedure)'],
    8,
  ],
  ['65363002', 'Otitis media (disorder)', ['308182', 'Amoxicillin 250 MG Oral Capsule', 10.9], null, 8],
  [
    '36971009',
    'Sinusitis (disorder)',
    ['562251', 'Amoxicillin 250 MG / Clavulanate 125 MG Oral Tablet', 23.5],
    null,
    6,
  ],
  ['38822007', 'Cystitis (disorder)', ['1043400', 'Nitrofurantoin 5 MG/ML Oral Suspension', 31.2], null, 5],
  ['840539006', 'COVID-19 (disorder)', null, ['261352009', 'Face mask (physical object)'], 6],
  ['283385000', 'Laceration of thigh (disorder)', null, ['288086009', 'Suture open wound (procedure)'], 3],
  ['44465007', 'Sprain of ankle (disorder)', ['310965', 'Ibuprofen 200 MG Oral Tablet', 4.7], null, 4],
];

/** Encounter classes with their SNOMED code, description and base cost. */
export const ENCOUNTER_TYPES = {
  wellness: ['410620009', 'Well child visit (procedure)', 136.8],
  wellnessAdult: ['162673000', 'General examination of patient (procedure)', 136.8],
  ambulatory: ['185345009', 'Encounter for symptom (procedure)', 85.55],
  chronic: ['390906007', 'Follow-up encounter (procedure)', 85.55],
  outpatient: ['185349003', 'Encounter for check up (procedure)', 85.55],
  urgentcare: ['702927004', 'Urgent care clinic (environment)', 142.58],
  emergency: ['50849002', 'Emergency room admission (procedure)', 146.18],
  inpatient: ['32485007', 'Hospital admission (procedure)', 106.16],
} as const;

/** Wellness and follow-up procedures. */
export const PROCEDURES = {
  medRec: ['430193006', 'Medication Reconciliation (procedure)', 308.45],
  depression: ['171207006', 'Depression screening (procedure)', 431.4],
  substance: ['428211000124100', 'Assessment of substance use (procedure)', 431.4],
  needs: ['710824005', 'Assessment of health and social care needs (procedure)', 431.4],
  colonoscopy: ['73761001', 'Colonoscopy (procedure)', 2457.81],
  spirometry: ['23426006', 'Measurement of respiratory function (procedure)', 516.65],
  chestXray: ['399208008', 'Plain chest X-ray (procedure)', 520.18],
  dialysis: ['265764009', 'Renal dialysis (procedure)', 1255.99],
  echo: ['40701008', 'Echocardiography (procedure)', 641.5],
  oxygen: ['371908008', 'Oxygen administration by mask (procedure)', 394.47],
} as const;

/** Observations: [LOINC, description, units, category]. */
export const OBSERVATIONS = {
  height: ['8302-2', 'Body Height', 'cm', 'vital-signs'],
  weight: ['29463-7', 'Body Weight', 'kg', 'vital-signs'],
  bmi: ['39156-5', 'Body mass index (BMI) [Ratio]', 'kg/m2', 'vital-signs'],
  diastolic: ['8462-4', 'Diastolic Blood Pressure', 'mm[Hg]', 'vital-signs'],
  systolic: ['8480-6', 'Systolic Blood Pressure', 'mm[Hg]', 'vital-signs'],
  heartRate: ['8867-4', 'Heart rate', '/min', 'vital-signs'],
  respRate: ['9279-1', 'Respiratory rate', '/min', 'vital-signs'],
  pain: [
    '72514-3',
    'Pain severity - 0-10 verbal numeric rating [Score] - Reported',
    '{score}',
    'vital-signs',
  ],
  smoking: ['72166-2', 'Tobacco smoking status', '', 'survey'],
  '4548-4': ['4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood', '%', 'laboratory'],
  '2339-0': ['2339-0', 'Glucose [Mass/volume] in Blood', 'mg/dL', 'laboratory'],
  '2093-3': ['2093-3', 'Cholesterol [Mass/volume] in Serum or Plasma', 'mg/dL', 'laboratory'],
  '2571-8': ['2571-8', 'Triglycerides', 'mg/dL', 'laboratory'],
  '18262-6': ['18262-6', 'Low Density Lipoprotein Cholesterol', 'mg/dL', 'laboratory'],
  '2085-9': ['2085-9', 'High Density Lipoprotein Cholesterol', 'mg/dL', 'laboratory'],
  '33914-3': [
    '33914-3',
    'Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum  Plasma or Blood by Creatinine-based formula (MDRD)',
    'mL/min/{1.73_m2}',
    'laboratory',
  ],
} as const;

/** Immunizations (CVX) with Synthea's cost. */
export const VACCINES = {
  flu: ['140', 'Influenza  seasonal  injectable  preservative free', 136.0],
  covid: [
    '208',
    'SARS-COV-2 (COVID-19) vaccine  mRNA  spike protein  LNP  preservative free  30 mcg/0.3mL dose',
    136.0,
  ],
  td: ['113', 'Td (adult)  5 Lf tetanus toxoid  preservative free  adsorbed', 136.0],
  pneumo: ['133', 'Pneumococcal conjugate PCV 13', 136.0],
  zoster: ['121', 'zoster', 136.0],
  hepb: ['08', 'Hep B  adolescent or pediatric', 136.0],
  dtap: ['20', 'DTaP', 136.0],
  ipv: ['10', 'IPV', 136.0],
  mmr: ['03', 'MMR', 136.0],
  hpv: ['62', 'HPV  quadrivalent', 136.0],
} as const;

/** Allergies: [code, description, category, reaction code, reaction description]. */
export const ALLERGIES = [
  ['419199007', 'Allergy to substance (finding)', 'environment', '247472004', 'Wheal (finding)'],
  ['111088007', 'Latex (substance)', 'environment', '271807003', 'Eruption of skin (disorder)'],
  ['91935009', 'Allergy to peanuts', 'food', '39579001', 'Anaphylaxis (disorder)'],
  ['417532002', 'Allergy to fish', 'food', '271807003', 'Eruption of skin (disorder)'],
  ['232347008', 'Dander (animal) allergy', 'environment', '878820003', 'Rhinoconjunctivitis (disorder)'],
  ['256259004', 'Pollen (substance)', 'environment', '878820003', 'Rhinoconjunctivitis (disorder)'],
  ['7980', 'Penicillin V', 'medication', '247472004', 'Wheal (finding)'],
] as const;

export const DEVICES = {
  glucoseMeter: ['337414009', 'Blood glucose meter (physical object)'],
  nebulizer: ['170615005', 'Home nebulizer (physical object)'],
  dialysis: ['36965003', 'Hemodialysis machine  device (physical object)'],
} as const;

export const SUPPLIES = {
  strips: ['337388004', 'Blood glucose testing strips (physical object)'],
  gloves: ['409534002', 'Disposable air-purifying respirator (physical object)'],
} as const;
