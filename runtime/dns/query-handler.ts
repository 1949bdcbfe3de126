import {
  AUTHORITATIVE_ANSWER,
  CHECKING_DISABLED,
  decode,
  RECURSION_AVAILABLE,
  RECURSION_DESIRED,
  type Answer,
  type DecodedPacket,
  type OptAnswer,
  type Packet,
  type Question,
} from 'dns-packet';
import type { Logger } from 'pino';
import { answerQuery, type LocalAnswer, type Rcode } from './answer-query.js';
import type { DnsSnapshot } from './dns-table.js';
import { encodeWithin, UDP_MESSAGE_LIMIT } from './fit-response.js';
import type { Forwarder } from './forwarder.js';

export type Transport = 'udp' | 'tcp';

const RCODES: Record<Rcode, number> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };
/** The UDP payload size advertised in EDNS answers: the DNS Flag Day 2020 figure, safe from fragmentation. */
const EDNS_PAYLOAD = 1232;
const TCP_MESSAGE_LIMIT = 65535;

export interface QueryHandlerOptions {
  snapshot: DnsSnapshot;
  /** The cluster domain, lower case, without a trailing dot. */
  zone: string;
  forwarder: Forwarder;
  logger: Logger;
}

/**
 * Turns one DNS message into its response: decodes it, answers from the
 * cluster or forwards it, and fits the response to the client's transport.
 * Returns undefined for messages that get no answer (responses, runts).
 */
export class QueryHandler {
  constructor(private readonly options: QueryHandlerOptions) {}

  async handle(message: Buffer, transport: Transport): Promise<Buffer | undefined> {
    let query: DecodedPacket;
    try {
      query = decode(message);
    } catch {
      if (message.length < 12 || message[2] & 0x80) return undefined;
      return encodeWithin({ type: 'response', id: message.readUInt16BE(0), flags: RCODES.FORMERR, questions: [] }, UDP_MESSAGE_LIMIT);
    }
    if (query.type === 'response') return undefined;
    const opt = query.additionals?.find((a): a is OptAnswer => a.type === 'OPT');
    const limit = transport === 'tcp' ? TCP_MESSAGE_LIMIT : Math.max(UDP_MESSAGE_LIMIT, opt?.udpPayloadSize ?? UDP_MESSAGE_LIMIT);
    const reply = (rcode: Rcode, parts: Partial<LocalAnswer> = {}, authoritative = false): Buffer =>
      encodeWithin(responseTo(query, rcode, parts, authoritative, opt !== undefined), limit);

    if ((query as { opcode?: string }).opcode !== 'QUERY') return reply('NOTIMP');
    const question = query.questions?.length === 1 ? query.questions[0] : undefined;
    if (!question) return reply('FORMERR');

    const outcome = answerQuery(question, this.options.snapshot, this.options.zone);
    if (!outcome.forward) {
      if (outcome.chase) await this.chase(outcome, question);
      return reply(outcome.rcode, outcome, true);
    }
    const response = await this.options.forwarder.forward(message);
    if (!response) {
      this.options.logger.debug({ name: question.name, type: question.type }, 'no upstream answered');
      return reply('SERVFAIL');
    }
    if (response.length <= limit) return response;
    try {
      return encodeWithin(decode(response), limit);
    } catch {
      return reply('SERVFAIL');
    }
  }

  /** Resolves an ExternalName's outside target upstream, as CoreDNS does, so stub resolvers that do not follow a lone CNAME still get addresses. */
  private async chase(outcome: LocalAnswer, question: Question): Promise<void> {
    const upstream = await this.options.forwarder.resolve(outcome.chase!, question.type);
    if (!upstream) return;
    outcome.answers.push(...(upstream.answers ?? []));
    if ((upstream as { rcode?: string }).rcode === 'NXDOMAIN') outcome.rcode = 'NXDOMAIN';
    if (!upstream.answers?.length) outcome.authorities.push(...(upstream.authorities ?? []));
  }
}

function responseTo(query: DecodedPacket, rcode: Rcode, parts: Partial<LocalAnswer>, authoritative: boolean, edns: boolean): Packet {
  let flags = RECURSION_AVAILABLE | RCODES[rcode];
  if (query.flag_rd) flags |= RECURSION_DESIRED;
  if (query.flag_cd) flags |= CHECKING_DISABLED;
  if (authoritative) flags |= AUTHORITATIVE_ANSWER;
  const additionals: Answer[] = [...(parts.additionals ?? [])];
  if (edns) additionals.push({ type: 'OPT', name: '.', udpPayloadSize: EDNS_PAYLOAD, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] });
  return {
    type: 'response',
    id: query.id,
    flags,
    questions: query.questions ?? [],
    answers: parts.answers ?? [],
    authorities: parts.authorities ?? [],
    additionals,
  };
}
