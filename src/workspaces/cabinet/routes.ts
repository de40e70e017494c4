import type { RoutePlugin } from '../../route-plugin.ts';
import { t } from '../../web/i18n/index.ts';
import { pageContext, sendPage } from '../../web/context.ts';
import { loadApplications, loadMessages, loadParent, loadWhy, nearHead } from './loaders.ts';
import { doneNotice, langQ, parentOrRedirect } from './route-helpers.ts';
import { cabinetPage } from './pages.tsx';
import { refreshStates } from '../../refresh/service.ts';
import { hide } from '../../api/schema.ts';

/** The parent's home, /cabinet: the applications, the referrals, the own data and the messages. */
export const cabinetRoutes: RoutePlugin = (r, deps) => {

  r.get('/cabinet', { schema: { ...hide, querystring: langQ } }, async (req, reply) => {
    const parentId = parentOrRedirect(req, reply);
    if (parentId === null) return reply;
    const parent = await loadParent(deps, parentId);
    if (!parent.hasPassword) return reply.redirect(`/cabinet/password?lang=${req.lang}`, 303);
    const policy = await deps.city.getPolicy();
    const apps = await loadApplications(deps, parentId);
    const messages = await loadMessages(deps, parentId);
    const why = await loadWhy(deps, apps);
    const done =
      req.query.done === 'applied' && req.query.n
        ? t(req.lang, 'parents.apply.done', { number: req.query.n })
        : doneNotice(req, req.query.done);
    return sendPage(reply, cabinetPage(pageContext(req, reply, deps), { parent, apps, messages, nearHead: nearHead(apps, policy.phoneCheckQueueNumber), days: policy, notice: done, why, refresh: await refreshStates(deps, apps.map((a) => a.id)) }));
  });
};
