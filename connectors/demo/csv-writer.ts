import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';

/** The headers Synthea (3.x) writes, table by table; the demo export writes exactly these. */
export const SYNTHEA_HEADERS = {
  allergies:
    'START,STOP,PATIENT,ENCOUNTER,CODE,SYSTEM,DESCRIPTION,TYPE,CATEGORY,REACTION1,DESCRIPTION1,SEVERITY1,REACTION2,DESCRIPTION2,SEVERITY2',
  careplans: 'Id,START,STOP,PATIENT,ENCOUNTER,CODE,DESCRIPTION,REASONCODE,REASONDESCRIPTION',
  claims:
    'Id,PATIENTID,PROVIDERID,PRIMARYPATIENTINSURANCEID,SECONDARYPATIENTINSURANCEID,DEPARTMENTID,PATIENTDEPARTMENTID,DIAGNOSIS1,DIAGNOSIS2,DIAGNOSIS3,DIAGNOSIS4,DIAGNOSIS5,DIAGNOSIS6,DIAGNOSIS7,DIAGNOSIS8,REFERRINGPROVIDERID,APPOINTMENTID,CURRENTILLNESSDATE,SERVICEDATE,SUPERVISINGPROVIDERID,STATUS1,STATUS2,STATUSP,OUTSTANDING1,OUTSTANDING2,OUTSTANDINGP,LASTBILLEDDATE1,LASTBILLEDDATE2,LASTBILLEDDATEP,HEALTHCARECLAIMTYPEID1,HEALTHCARECLAIMTYPEID2',
  claims_transactions:
    'ID,CLAIMID,CHARGEID,PATIENTID,TYPE,AMOUNT,METHOD,FROMDATE,TODATE,PLACEOFSERVICE,PROCEDURECODE,MODIFIER1,MODIFIER2,DIAGNOSISREF1,DIAGNOSISREF2,DIAGNOSISREF3,DIAGNOSISREF4,UNITS,DEPARTMENTID,NOTES,UNITAMOUNT,TRANSFEROUTID,TRANSFERTYPE,PAYMENTS,ADJUSTMENTS,TRANSFERS,OUTSTANDING,APPOINTMENTID,LINENOTE,PATIENTINSURANCEID,FEESCHEDULEID,PROVIDERID,SUPERVISINGPROVIDERID',
  conditions: 'START,STOP,PATIENT,ENCOUNTER,CODE,DESCRIPTION',
  devices: 'START,STOP,PATIENT,ENCOUNTER,CODE,DESCRIPTION,UDI',
  encounters:
    'Id,START,STOP,PATIENT,ORGANIZATION,PROVIDER,PAYER,ENCOUNTERCLASS,CODE,DESCRIPTION,BASE_ENCOUNTER_COST,TOTAL_CLAIM_COST,PAYER_COVERAGE,REASONCODE,REASONDESCRIPTION',
  imaging_studies:
    'Id,DATE,PATIENT,ENCOUNTER,SERIES_UID,BODYSITE_CODE,BODYSITE_DESCRIPTION,MODALITY_CODE,MODALITY_DESCRIPTION,INSTANCE_UID,SOP_CODE,SOP_DESCRIPTION,PROCEDURE_CODE',
  immunizations: 'DATE,PATIENT,ENCOUNTER,CODE,DESCRIPTION,BASE_COST',
  medications:
    'START,STOP,PATIENT,PAYER,ENCOUNTER,CODE,DESCRIPTION,BASE_COST,PAYER_COVERAGE,DISPENSES,TOTALCOST,REASONCODE,REASONDESCRIPTION',
  observations: 'DATE,PATIENT,ENCOUNTER,CATEGORY,CODE,DESCRIPTION,VALUE,UNITS,TYPE',
  organizations: 'Id,NAME,ADDRESS,CITY,STATE,ZIP,LAT,LON,PHONE,REVENUE,UTILIZATION',
  patient_expenses: 'PATIENT_ID,YEAR,PAYER_ID,HEALTHCARE_EXPENSES,INSURANCE_COSTS,COVERED_COSTS',
  patients:
    'Id,BIRTHDATE,DEATHDATE,SSN,DRIVERS,PASSPORT,PREFIX,FIRST,LAST,SUFFIX,MAIDEN,MARITAL,RACE,ETHNICITY,GENDER,BIRTHPLACE,ADDRESS,CITY,STATE,COUNTY,FIPS,ZIP,LAT,LON,HEALTHCARE_EXPENSES,HEALTHCARE_COVERAGE,INCOME',
  payer_transitions: 'PATIENT,MEMBERID,START_DATE,END_DATE,PAYER,SECONDARY_PAYER,PLAN_OWNERSHIP,OWNER_NAME',
  payers:
    'Id,NAME,OWNERSHIP,ADDRESS,CITY,STATE_HEADQUARTERED,ZIP,PHONE,AMOUNT_COVERED,AMOUNT_UNCOVERED,REVENUE,COVERED_ENCOUNTERS,UNCOVERED_ENCOUNTERS,COVERED_MEDICATIONS,UNCOVERED_MEDICATIONS,COVERED_PROCEDURES,UNCOVERED_PROCEDURES,COVERED_IMMUNIZATIONS,UNCOVERED_IMMUNIZATIONS,UNIQUE_CUSTOMERS,QOLS_AVG,MEMBER_MONTHS',
  procedures: 'START,STOP,PATIENT,ENCOUNTER,CODE,DESCRIPTION,BASE_COST,REASONCODE,REASONDESCRIPTION',
  providers: 'Id,ORGANIZATION,NAME,GENDER,SPECIALITY,ADDRESS,CITY,STATE,ZIP,LAT,LON,ENCOUNTERS,PROCEDURES',
  supplies: 'DATE,PATIENT,ENCOUNTER,CODE,DESCRIPTION,QUANTITY',
} as const;

export type DemoTable = keyof typeof SYNTHEA_HEADERS;

type Cell = string | number | null | undefined;

const CHUNK = 1 << 20;
const NEEDS_QUOTES = /[",\n\r]/;
const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

/** One record with RFC 4180 quoting of each value that holds a comma, a quote or a line break. */
function quotedRecord(cells: readonly Cell[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    const v = cells[i];
    if (i > 0) line += ',';
    if (v === null || v === undefined) continue;
    const s = String(v);
    line += NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  }
  return `${line}\n`;
}

/**
 * One CSV file written in large chunks, with RFC 4180 quoting where a value needs it. Each record
 * is encoded into a 1 MB buffer as it is added, so its text dies young (the garbage collector took
 * half the generator's time when records waited as strings for a join); a full buffer goes to the
 * stream and `maybeFlush` waits for the stream to drain, which keeps memory flat.
 */
export class CsvTableWriter {
  #buf = Buffer.allocUnsafe(CHUNK);
  #len = 0;
  rows = 0;
  private constructor(private readonly out: WriteStream) {}

  static open(dir: string, table: DemoTable): CsvTableWriter {
    const w = new CsvTableWriter(createWriteStream(join(dir, `${table}.csv`)));
    w.#append(`${SYNTHEA_HEADERS[table]}\n`);
    return w;
  }

  /** Add one record; call `maybeFlush` now and then to keep memory flat. */
  row(cells: readonly Cell[]): void {
    if (!this.#plainRecord(cells)) this.#append(quotedRecord(cells));
    this.rows++;
  }

  /**
   * Copy the record into the buffer character by character when every value is ASCII without a
   * comma, a quote or a line break (nearly always here), and say whether it could. Building the
   * record as a string and having `Buffer.write` encode it, then checking its bytes, cost twice as
   * much; testing each value with a regular expression cost more than the rest.
   */
  #plainRecord(cells: readonly Cell[]): boolean {
    let most = cells.length;
    for (let i = 0; i < cells.length; i++) {
      const v = cells[i];
      // A number's text is at most 24 characters (`String(-1.2345678901234567e-308)`).
      most += typeof v === 'string' ? v.length : 32;
    }
    if (this.#len + most > this.#buf.length) this.#spill(most);
    const buf = this.#buf;
    let at = this.#len;
    for (let i = 0; i < cells.length; i++) {
      if (i > 0) buf[at++] = COMMA;
      const v = cells[i];
      if (v === null || v === undefined) continue;
      const s = typeof v === 'string' ? v : String(v);
      for (let j = 0; j < s.length; j++) {
        const ch = s.charCodeAt(j);
        if (ch === COMMA || ch === QUOTE || ch === LF || ch === CR || ch > 127) return false;
        buf[at++] = ch;
      }
    }
    buf[at++] = LF;
    this.#len = at;
    return true;
  }

  /** Encode `text` after what the buffer holds; returns where it starts. */
  #append(text: string): number {
    // A UTF-8 character is at most 3 bytes per UTF-16 code unit.
    if (this.#len + text.length * 3 > this.#buf.length) this.#spill(text.length * 3);
    const start = this.#len;
    this.#len += this.#buf.write(text, start);
    return start;
  }

  /** Hand the filled part of the buffer to the stream and start a new one. */
  #spill(need = 0): void {
    if (this.#len > 0) this.out.write(this.#buf.subarray(0, this.#len));
    // The stream owns the written bytes now: a new buffer, large enough for the next text.
    if (this.#len > 0 || need > this.#buf.length) {
      this.#buf = Buffer.allocUnsafe(Math.max(CHUNK, need));
      this.#len = 0;
    }
  }

  async maybeFlush(): Promise<void> {
    // Whether a write is still over the stream's high-water mark (set until 'drain' is emitted,
    // so a drain that happened before this call is not waited for).
    if (this.out.writableNeedDrain) await once(this.out, 'drain');
  }

  async flush(): Promise<void> {
    this.#spill();
    await this.maybeFlush();
  }

  async close(): Promise<void> {
    this.#spill();
    this.out.end();
    await once(this.out, 'finish');
  }
}
