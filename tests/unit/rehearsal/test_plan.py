"""The rehearsal's upgrade as data: order, holds, checkpoints."""

import testtools

from rehearsal import plan


class OrderTest(testtools.TestCase):

    def test_the_documented_order(self):
        # keystone; placement, glance, cinder, neutron; nova; swift
        order = []
        for step in plan.STEPS:
            if step.project not in order:
                order.append(step.project)
        self.assertEqual(list(plan.PROJECTS), order)
        self.assertEqual(['keystone', 'placement', 'glance', 'cinder',
                          'neutron', 'nova', 'swift'], order)

    def test_cinder_and_nova_held_then_resumed(self):
        held = [(i, s.project, s.hold) for i, s in enumerate(plan.STEPS)
                if s.hold]
        self.assertEqual([(3, 'cinder', 'cinder-volume'),
                          (6, 'nova', 'nova-compute')], held)
        self.assertEqual({4, 7}, plan.resumed_steps())
        for i in plan.resumed_steps():
            self.assertEqual(plan.STEPS[i - 1].project,
                             plan.STEPS[i].project)

    def test_every_project_finished(self):
        last = {s.project: s for s in plan.STEPS}
        self.assertEqual(set(plan.PROJECTS), set(last))
        self.assertTrue(all(s.hold is None for s in last.values()))

    def test_resumed_steps_of_another_plan(self):
        steps = (plan.Step('nova', 'nova-compute', 'm', (), None),
                 plan.Step('swift', None, 's', (), None),
                 plan.Step('nova', None, 'n', (), None),
                 plan.Step('nova', None, 'again', (), None))
        self.assertEqual({2}, plan.resumed_steps(steps))


class CheckpointsTest(testtools.TestCase):

    def test_a_checkpoint_after_every_step(self):
        labels = [s.label for s in plan.STEPS]
        self.assertEqual(len(plan.STEPS), len(set(labels)))
        self.assertEqual(['after-keystone', 'after-placement',
                          'after-glance', 'mixed-cinder', 'after-cinder',
                          'after-neutron', 'mixed-nova', 'after-nova',
                          'after-all'], labels)
        self.assertTrue(all(plan.FIRST_SET in s.verify for s in plan.STEPS))

    def test_the_mixed_set_is_made_in_nova_s_mixed_state(self):
        made = [(s.label, s.create) for s in plan.STEPS if s.create]
        self.assertEqual([('mixed-nova', plan.MIXED_SET)], made)
        index = next(i for i, s in enumerate(plan.STEPS) if s.create)
        self.assertEqual('nova-compute', plan.STEPS[index].hold)
        # verified at every checkpoint after it, the last one included
        for step in plan.STEPS[index + 1:]:
            self.assertIn(plan.MIXED_SET, step.verify)
        for step in plan.STEPS[:index + 1]:
            self.assertNotIn(plan.MIXED_SET, step.verify)

    def test_verify_labels(self):
        self.assertEqual('after-nova',
                         plan.verify_label('after-nova', plan.FIRST_SET))
        self.assertEqual('after-all (mixed set)',
                         plan.verify_label('after-all', plan.MIXED_SET))


class CommandsAndMarkersTest(testtools.TestCase):

    def test_localcloud_args(self):
        self.assertEqual(['upgrade', 'keystone', '--to', '2026.2'],
                         plan.localcloud_args(plan.STEPS[0]))
        self.assertEqual(['upgrade', 'nova', '--to', '2026.2',
                          '--stop-before', 'nova-compute'],
                         plan.localcloud_args(plan.STEPS[6]))
        # resuming is the same command without --stop-before
        self.assertEqual(['upgrade', 'nova', '--to', '2026.2'],
                         plan.localcloud_args(plan.STEPS[7]))

    def test_markers_and_names(self):
        held, resumed, whole = plan.STEPS[6], plan.STEPS[7], plan.STEPS[8]
        self.assertEqual('upgrade nova: start (-> 2026.2, held before '
                         'nova-compute)', plan.start_marker(held, False))
        self.assertEqual('upgrade nova: start (-> 2026.2, resumed)',
                         plan.start_marker(resumed, True))
        self.assertEqual('upgrade swift: start (-> 2026.2)',
                         plan.start_marker(whole, False))
        for step, resumed_ in ((held, False), (resumed, True),
                               (whole, False)):
            self.assertTrue(plan.start_marker(step, resumed_).startswith(
                plan.marker_prefix(step.project)))
        self.assertEqual('upgrade nova -> 2026.2 until nova-compute (mixed '
                         'versions)', plan.step_name(held, False))
        self.assertEqual('upgrade nova -> 2026.2: the rest',
                         plan.step_name(resumed, True))
        self.assertEqual('upgrade swift -> 2026.2',
                         plan.step_name(whole, False))


class NotUpgradedTest(testtools.TestCase):

    def test_done(self):
        self.assertEqual([], plan.not_upgraded(
            {'nova': '34.0.0', 'swift': '2.38.3'},
            {'nova': '34.0.0', 'swift': '2.38.3'}, {}))

    def test_a_project_behind_and_a_service_left_on_old_code(self):
        self.assertEqual(
            ['nova at None, not 34.0.0', 'swift at 2.37.4, not 2.38.3',
             'nova-compute still runs 33.0.2'],
            plan.not_upgraded({'swift': '2.37.4'},
                              {'nova': '34.0.0', 'swift': '2.38.3'},
                              {'nova-compute': '33.0.2'}))
