/** Live state of one endpoint's circuit breaker, as a running server reports it to the doctor. */
export interface EndpointHealthState {
  endpoint: string;
  state: 'closed' | 'open' | 'half-open';
}
