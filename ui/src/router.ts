import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import Login from './views/Login.vue'
import { homeFor, loadInfo, restoreSession, store } from './lib/session'
import type { Role } from './api/bindings/Role'

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    roles?: Role[]
  }
}

const ALL: Role[] = ['firm', 'reviewer', 'clerk', 'leader', 'admin']

// Only the login is in the initial chunk, and it does without Element Plus: every other screen,
// first run included, loads on demand with Element Plus (the app's idle memory, issue 4).
const routes: RouteRecordRaw[] = [
  { path: '/first-run', name: 'first-run', component: () => import('./views/FirstRun.vue'), meta: { public: true } },
  { path: '/login', name: 'login', component: Login, meta: { public: true } },
  { path: '/guide', name: 'guide', component: () => import('./views/common/Help.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('./views/Layout.vue'),
    children: [
      { path: '', name: 'home', component: { render: () => null }, meta: { roles: ALL } },
      // firm
      { path: 'firm', name: 'firm-home', component: () => import('./views/firm/FirmHome.vue'), meta: { roles: ['firm'] } },
      { path: 'firm/messages', name: 'messages', component: () => import('./views/firm/Messages.vue'), meta: { roles: ['firm'] } },
      // firm and clerk (intake): the application wizard and the status page
      { path: 'apps/new', name: 'app-new', component: () => import('./views/firm/AppEdit.vue'), meta: { roles: ['firm', 'clerk'] } },
      { path: 'apps/:id/edit', name: 'app-edit', component: () => import('./views/firm/AppEdit.vue'), meta: { roles: ['firm', 'clerk'] } },
      { path: 'apps/:id', name: 'app-status', component: () => import('./views/firm/AppStatus.vue'), meta: { roles: ['firm', 'clerk', 'leader', 'admin'] } },
      // daily reports after reopening, statistics and exports
      { path: 'firm/daily', name: 'firm-daily', component: () => import('./views/firm/Daily.vue'), meta: { roles: ['firm'] } },
      { path: 'daily', name: 'compliance', component: () => import('./views/reviewer/Compliance.vue'), meta: { roles: ['reviewer', 'clerk', 'leader', 'admin'] } },
      { path: 'stats', name: 'statistics', component: () => import('./views/leader/Statistics.vue'), meta: { roles: ['leader', 'clerk', 'admin'] } },
      { path: 'apps', name: 'app-list', component: () => import('./views/common/AppList.vue'), meta: { roles: ['clerk', 'leader', 'admin'] } },
      // reviewer
      { path: 'review', name: 'queue', component: () => import('./views/reviewer/Queue.vue'), meta: { roles: ['reviewer'] } },
      { path: 'review/:id', name: 'review-app', component: () => import('./views/reviewer/ReviewApp.vue'), meta: { roles: ['reviewer'] } },
      // clerk
      { path: 'clerk/intake', name: 'intake', component: () => import('./views/clerk/Intake.vue'), meta: { roles: ['clerk'] } },
      { path: 'clerk/print', name: 'print', component: () => import('./views/clerk/PrintCentre.vue'), meta: { roles: ['clerk'] } },
      { path: 'help', name: 'help', component: () => import('./views/common/Help.vue'), meta: { roles: ALL } },
      { path: 'verify', name: 'verify', component: () => import('./views/clerk/Verify.vue'), meta: { roles: ALL } },
      // leader
      { path: 'dashboard', name: 'dashboard', component: () => import('./views/leader/Dashboard.vue'), meta: { roles: ['leader', 'admin'] } },
      // administrator
      { path: 'admin/users', name: 'users', component: () => import('./views/admin/Users.vue'), meta: { roles: ['admin'] } },
      { path: 'admin/departments', name: 'departments', component: () => import('./views/admin/Departments.vue'), meta: { roles: ['admin'] } },
      { path: 'admin/routing', name: 'routing', component: () => import('./views/admin/Routing.vue'), meta: { roles: ['admin'] } },
      { path: 'admin/workflow', name: 'workflow', component: () => import('./views/admin/Workflow.vue'), meta: { roles: ['admin'] } },
      { path: 'admin/policy', name: 'policy', component: () => import('./views/admin/Policy.vue'), meta: { roles: ['admin'] } },
      { path: 'admin/audit', name: 'audit', component: () => import('./views/admin/Audit.vue'), meta: { roles: ['admin'] } },
    ],
  },
  { path: '/:pathMatch(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHashHistory(), routes })

router.beforeEach(async (to) => {
  const info = await loadInfo()
  if (info && !info.initialised) return to.name === 'first-run' ? true : { name: 'first-run' }
  if (to.name === 'first-run') return info ? { name: 'login' } : true
  if (to.meta.public) return true
  const s = store.session ?? (info ? await restoreSession() : null)
  if (!s) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  if (to.name === 'home') return homeFor(s.role)
  if (to.meta.roles && !to.meta.roles.includes(s.role)) return homeFor(s.role)
  return true
})
