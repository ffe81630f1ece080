import type { FastifyReply, FastifyRequest } from 'fastify';
import { translator } from './i18n/index.js';
import { sendPage } from './page.js';

export function renderErrorPage(
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  title: string,
  detail: string,
): FastifyReply {
  if (!req.t) req.t = translator('de');
  const t = req.t;
  return sendPage(req, reply, {
    status,
    title,
    body: (
      <div class="kern-stack">
        <h1 class="kern-heading-x-large">{title}</h1>
        <p class="kern-body">{detail}</p>
        <p class="kern-body">
          <a class="kern-link" href="/">
            {t('error.back_home')}
          </a>
        </p>
      </div>
    ),
  });
}
