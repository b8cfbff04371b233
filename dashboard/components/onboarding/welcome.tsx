'use client';
import { ArrowRight, Bot, MessageSquare, Sparkles } from 'lucide-react';
import { motion, useReducedMotion } from 'motion/react';
import { Button } from '@/components/ui/button';
import { useProductName } from '@/lib/brand';

/** Screen 1: hero animation, the value in one sentence, Get Started. */
export function Welcome({ onStart, signedIn }: { onStart: () => void; signedIn: boolean }) {
  const still = useReducedMotion();
  const product = useProductName();
  const orbit = (delay: number) =>
    still
      ? {}
      : { animate: { y: [0, -10, 0], opacity: [0.7, 1, 0.7] }, transition: { duration: 4, repeat: Infinity, delay } };
  return (
    <section aria-labelledby="step-title" className="grid place-items-center gap-8 py-6 text-center sm:py-12">
      <div className="relative grid size-40 place-items-center" aria-hidden="true">
        <motion.div
          className="absolute inset-0 rounded-full bg-gradient-to-br from-cyan-400/30 via-sky-500/10 to-blue-900/40 blur-xl"
          {...(still ? {} : { animate: { scale: [1, 1.15, 1] }, transition: { duration: 5, repeat: Infinity } })}
        />
        <motion.div
          initial={still ? false : { scale: 0.6, opacity: 0 }}
          animate={{ scale: 1, opacity: 1 }}
          transition={{ type: 'spring', stiffness: 120, damping: 12 }}
          className="relative grid size-24 place-items-center rounded-3xl border border-cyan-300/30 bg-white/80 dark:bg-slate-900/70 shadow-[0_0_40px_rgba(0,217,255,0.35)]"
        >
          <Bot className="size-12 text-cyan-700 dark:text-cyan-300" />
        </motion.div>
        <motion.span className="absolute -right-2 top-4 rounded-full bg-cyan-400/20 p-2" {...orbit(0)}>
          <MessageSquare className="size-4 text-cyan-700 dark:text-cyan-200" />
        </motion.span>
        <motion.span className="absolute -left-3 bottom-6 rounded-full bg-emerald-400/20 p-2" {...orbit(1.2)}>
          <Sparkles className="size-4 text-emerald-700 dark:text-emerald-200" />
        </motion.span>
      </div>
      <div className="grid max-w-xl gap-3">
        <motion.h1
          id="step-title"
          tabIndex={-1}
          className="text-3xl font-bold tracking-tight outline-none sm:text-5xl"
          initial={still ? false : { y: 12, opacity: 0 }}
          animate={{ y: 0, opacity: 1 }}
          transition={{ delay: 0.15 }}
        >
          Your own AI agent, live in minutes
        </motion.h1>
        <motion.p
          className="text-base text-muted-foreground sm:text-lg"
          initial={still ? false : { y: 12, opacity: 0 }}
          animate={{ y: 0, opacity: 1 }}
          transition={{ delay: 0.3 }}
        >
          {product} runs a dedicated, private OpenClaw agent for your company that answers your customers on Telegram,
          Slack and WhatsApp, with your model, your voice and your rules.
        </motion.p>
      </div>
      <Button size="lg" onClick={onStart} autoFocus className="gap-2 bg-cyan-400 text-slate-950 hover:bg-cyan-300">
        {signedIn ? 'Continue setup' : 'Get started'} <ArrowRight className="size-4" />
      </Button>
      {!signedIn && (
        <p className="text-xs text-muted-foreground">
          Already started?{' '}
          <a className="text-accent underline" href="/login/?next=/onboarding/">
            Log in to continue
          </a>
        </p>
      )}
    </section>
  );
}
