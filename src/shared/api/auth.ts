import { z } from 'zod';
import { AgentProfile } from '../domain/agent.js';

export const LoginRequest = z.object({
  login: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(200),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const LoginResponse = z.object({
  token: z.string().min(20),
  agent: AgentProfile,
});
export type LoginResponse = z.infer<typeof LoginResponse>;
