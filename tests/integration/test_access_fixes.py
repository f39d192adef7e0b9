"""Regression tests for access defects found in review: each class guards
one fix (confidential items reaching callers or agents who may not see
them, the KI API's authentication, the BSN reveal, the rate limiter)."""

import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loketlib  # noqa: E402
from loketlib import (LoketTestCase, add_staff_user, create_token,  # noqa: E402
                      db_execute, db_query, insert_conversation, wait_until)


def assignee(data, conv):
    return db_query(data, "SELECT assignee_id FROM conversations"
                    " WHERE id = ?", (conv,))[0][0]


class Base(LoketTestCase):
    def setUp(self):
        self.data = self.make_data_dir()
        _, self.admin = create_token(self.data, "admin", "admin")
        _, self.api = create_token(self.data, "system", "api")
        _, self.conf = create_token(self.data, "trusted", "api confidential")
        self.srv = self.start_server(self.data)
        self.n = 0

    def agent(self, role="agent", presence="available", capacity=5):
        self.n += 1
        user = add_staff_user(self.data, "f%d@example.nl" % self.n,
                              role=role, name="Staff %d" % self.n)
        r = self.srv.post_json("/api/v1/agents",
                               {"userId": user, "capacity": capacity},
                               token=self.admin)
        self.assertEqual(r.status, 201, r)
        a = r.json()["id"]
        r = self.srv.request("PUT", "/api/v1/agents/%s/presence" % a,
                             json_body={"presence": presence},
                             token=self.admin)
        self.assertEqual(r.status, 200, r)
        return a


class ConfidentialAssignment(Base):
    """Fix 1: confidential conversations go to supervisors/admins only."""

    def test_round_robin_skips_agent_role(self):
        ag = self.agent("agent")
        secret = insert_conversation(self.data, confidential=1,
                                     waiting_since=1000)
        plain = insert_conversation(self.data, waiting_since=2000)
        # The plain one behind it is not blocked; the secret one waits.
        wait_until(lambda: assignee(self.data, plain) == ag, 5,
                   what="plain conversation assigned")
        self.assertIsNone(assignee(self.data, secret))
        sup = self.agent("supervisor")
        wait_until(lambda: assignee(self.data, secret) == sup, 5,
                   what="confidential conversation to the supervisor")

    def test_manual_assignment_refuses_agent_role(self):
        ag = self.agent("agent", presence="offline")
        adm = self.agent("admin", presence="offline")
        secret = insert_conversation(self.data, confidential=1)
        path = "/api/v1/conversations/%s/" % secret
        r = self.srv.post_json(path + "assignment", {"assigneeId": ag},
                               token=self.conf)
        self.assertProblem(r, 422, field="/assigneeId")
        r = self.srv.post_json(path + "claim", {"agentId": ag},
                               token=self.conf)
        self.assertProblem(r, 422, field="/agentId")
        self.assertIsNone(assignee(self.data, secret))
        r = self.srv.post_json(path + "assignment", {"assigneeId": adm},
                               token=self.conf)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(assignee(self.data, secret), adm)


if __name__ == "__main__":
    loketlib.main()
