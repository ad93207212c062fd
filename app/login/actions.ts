"use server";
// Log in and out. Server actions: Next refuses them when the Origin header does not match the host,
// and the cookie is HttpOnly + SameSite=Strict (server/auth/session.ts).
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { SESSION_COOKIE, authConfig, checkPassword, createSessionValue, sessionCookieOptions } from "@/server/auth/session";

const loginInput = z.object({
  password: z.string().min(1, "Enter the admin password").max(1000),
  // Only a path on this site: never an absolute URL (open redirect).
  next: z.string().regex(/^\/(?!\/)[^\s\\]*$/).catch("/settings"),
});

export interface LoginState {
  error: string | null;
}

async function isHttps(): Promise<boolean> {
  const h = await headers();
  return (h.get("x-forwarded-proto") ?? "").split(",")[0]!.trim() === "https";
}

export async function login(_prev: LoginState, form: FormData): Promise<LoginState> {
  const parsed = loginInput.safeParse({ password: form.get("password") ?? "", next: form.get("next") ?? "" });
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "Invalid input" };
  const config = authConfig();
  if (!config.required) redirect(parsed.data.next);
  if (!checkPassword(parsed.data.password, config)) return { error: "Wrong password" };
  (await cookies()).set(SESSION_COOKIE, createSessionValue(config), sessionCookieOptions(await isHttps()));
  redirect(parsed.data.next);
}

export async function logout(): Promise<void> {
  (await cookies()).delete(SESSION_COOKIE);
  redirect("/login");
}
