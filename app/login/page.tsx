import { cookies } from "next/headers";
import Link from "next/link";
import { SESSION_COOKIE, authConfig, verifySessionValue } from "@/server/auth/session";
import { logout } from "./actions";
import { LoginForm } from "./login-form";

export const dynamic = "force-dynamic";

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const next = typeof sp.next === "string" ? sp.next : "/settings";
  const config = authConfig();
  const loggedIn = config.required && verifySessionValue((await cookies()).get(SESSION_COOKIE)?.value, config);
  return (
    <>
      <h1>Log in</h1>
      {!config.required ? (
        <p className="muted">
          No admin password is configured (URLVR_ADMIN_PASSWORD), so everything is open and there is nothing to log in
          to. <Link href="/settings">Settings</Link>
        </p>
      ) : loggedIn ? (
        <form action={logout} className="card toolbar">
          <p>You are logged in.</p>
          <button type="submit">Log out</button>
        </form>
      ) : (
        <>
          <p className="muted">Launching, cancelling and re-queuing runs and managing API tokens need a login.</p>
          <LoginForm next={next} />
        </>
      )}
    </>
  );
}
