/** What is wrong, and where. `seq` is the record's place in the chain (null: not about one record). */
export interface VerifyProblem {
  kind: 'modified' | 'missing' | 'reordered' | 'unsealed' | 'checkpoint' | 'head' | 'anchor';
  seq: number | null;
  id?: string;
  checkpoint?: number;
  message: string;
}
