-- The reviewer's queue pages each of its two parts in index order and joins only the page: pending
-- tasks by due date come from review_queue(department_id, state, due_at); decided tasks, newest
-- first, from this index. Before it, a page sorted every task the department ever decided (86 ms
-- for 10,847 tasks at province scale). Ties on decided_at go by id, the order the queue shows.
CREATE INDEX review_tasks_dept_decided ON review_tasks(department_id, decided_at DESC, id)
    WHERE state IN ('approved', 'rejected', 'returned');
